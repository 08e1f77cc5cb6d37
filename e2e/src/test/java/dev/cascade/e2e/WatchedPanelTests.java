package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's watched-images panel in headless Chromium, against build-service's watched-images API as its
 * contract describes it ({@link WatchedImagesStub}): the dashboard's own files, served as trigger-service serves
 * them, with no pipelines, and the stub as the build-service the browser calls.
 */
class WatchedPanelTests {

    static final Path DASHBOARD = Path.of("..", "trigger-service", "src", "main", "resources", "META-INF", "resources")
            .toAbsolutePath().normalize();
    static final Map<String, String> TYPES = Map.of("html", "text/html", "js", "text/javascript", "css", "text/css");

    static WatchedImagesStub service;
    static ChromeDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        service = new WatchedImagesStub(WatchedImagesStub.watchedTags(Instant.now()));
        service.serve("/", WatchedPanelTests::file);
        service.serve("/api/dashboard", e -> WatchedImagesStub.send(e, 200,
                "{\"buildUrl\":\"%1$s\",\"deployUrl\":\"%1$s\"}".formatted(service.url())));
        service.serve("/api/pipelines", e -> WatchedImagesStub.send(e, 200, "[]"));
        browser = Chromium.start();
        wait = Chromium.waitFor(browser);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    /** The dashboard's files, as trigger-service serves them from {@code /}. */
    private static void file(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().equals("/") ? "index.html" : exchange.getRequestURI().getPath().substring(1);
        Path file = DASHBOARD.resolve(name).normalize();
        if (!file.startsWith(DASHBOARD) || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] body = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static WebElement row(String testId, String attribute, String value) {
        return browser.findElement(By.cssSelector("[data-testid=%s][%s='%s']".formatted(testId, attribute, value)));
    }

    static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }

    @Test
    void thePanelListsTheWatchedTagsWithFailingOnesHighlightedAndEachRegistrysBudgetAndRefreshes() throws Exception {
        browser.get(service.url() + "/#watched");
        wait.until(d -> d.findElement(By.id("sign-in")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(WatchedImagesStub.TOKEN);
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();

        wait.until(d -> d.findElements(By.cssSelector("[data-testid=watched-row]")).size() == 3);
        assertThat(browser.findElement(By.id("watched-summary")).getText()).startsWith("3 watched image(s), 1 failing");
        assertThat(cells(row("watched-row", "data-image", "docker.io/library/debian:bookworm"))).containsExactly(
                "docker.io/library/debian:bookworm", "configs app, mid1 · builder s2i-app · workload team-a/Deployment/web",
                "sha256:4f1c9a7d2e8b", "3 min ago", "in 7 min", "");
        assertThat(cells(row("watched-row", "data-image", "docker.io/library/python:3.12")))
                .containsExactly("docker.io/library/python:3.12", "configs api, worker, jobs", "–", "never", "due", "");
        WebElement failing = row("watched-row", "data-image", "quay.io/team/builder:2");
        assertThat(cells(failing).get(5)).isEqualTo("toomanyrequests: rate limit exceeded retry later");
        assertThat(failing.getAttribute("class")).contains("failing");
        assertThat(browser.findElements(By.cssSelector("[data-testid=watched-row].failing"))).hasSize(1);

        assertThat(cells(row("registry-row", "data-registry", "docker.io"))).containsExactly("docker.io", "590 / 600 per hour", "", "");
        WebElement quay = row("registry-row", "data-registry", "quay.io");
        assertThat(cells(quay).subList(0, 2)).containsExactly("quay.io", "0 / 300 per hour");
        assertThat(cells(quay).get(2)).isNotEmpty();
        assertThat(cells(quay).get(3)).isEqualTo("HTTP 429 toomanyrequests");
        assertThat(quay.getAttribute("class")).contains("failing");
        Chromium.screenshot(browser, "watched-images-panel");

        // the panel asks again by itself (every 30 s) and shows the new answer
        int asked = service.queries.size();
        service.answer(WatchedImagesStub.JSON.createArrayNode());
        new WebDriverWait(browser, Duration.ofSeconds(45)).until(d -> d.findElement(By.id("watched-summary")).getText()
                .equals("No images are watched."));
        assertThat(service.queries.size()).isGreaterThan(asked);
        assertThat(browser.findElements(By.cssSelector("[data-testid=watched-row], [data-testid=registry-row]"))).isEmpty();

        // a build-service without the watcher
        service.answer(null);
        browser.findElement(By.cssSelector("nav a[data-view=pipelines]")).click();
        browser.findElement(By.cssSelector("nav a[data-view=watched]")).click();
        wait.until(d -> d.findElement(By.id("watched-summary")).getText()
                .equals("This build-service does not watch base images (no /api/watched-images)."));
    }
}
