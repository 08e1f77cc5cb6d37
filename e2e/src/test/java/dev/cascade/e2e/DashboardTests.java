package dev.cascade.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.FollowingDeployment;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.TestTokens;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard as a person uses it, in headless Chromium against the running system: a pipeline appears
 * live, its tree and a build's log show, and the dependency graph renders with an image's blast radius; the build
 * queue shows builds by class; a cascade a failed canary holds is resumed or aborted from its pipeline.
 * Screenshots are kept in {@code target/screenshots}.
 */
@ExtendWith(RunningSystem.class)
class DashboardTests {

    static CascadeSystem system;
    static ChromeDriver browser;
    static WebDriverWait wait;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void openBrowser() throws Exception {
        system = RunningSystem.get();
        git = new GitRepos(system.work().resolve("git-dashboard"));
        reg = system.registry().host();
        browser = Chromium.start();
        wait = Chromium.waitFor(browser);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    static void screenshot(String name) throws Exception {
        Chromium.screenshot(browser, name);
    }

    static String image(String name) {
        return reg + "/dashboard/" + name + ":1";
    }

    static void config(String name, String dockerfile) throws Exception {
        String repo = git.create(name);
        git.commit(name, Map.of("Dockerfile", dockerfile, name + ".txt", name), name);
        given().baseUri(system.build().url()).contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, image(name)))
                .post("/api/build-configs").then().statusCode(201);
    }

    static String startBuild(String config) {
        return given().baseUri(system.build().url()).contentType("application/json").body("{}")
                .post("/api/build-configs/" + config + "/builds").then().statusCode(202).extract().path("id");
    }

    static void awaitSucceeded(String buildId) {
        await().atMost(Duration.ofMinutes(2)).until(() -> given().baseUri(system.build().url()).get("/api/builds/" + buildId)
                .then().extract().path("status"), s -> List.of("succeeded", "failed", "cancelled").contains(s));
        assertThat(given().baseUri(system.build().url()).get("/api/builds/" + buildId).then().extract().<String>path("status"))
                .isEqualTo("succeeded");
    }

    @Test
    void aPipelineAppearsLiveWithItsTreeAndLogAndTheGraphShowsABlastRadius() throws Exception {
        config("dash-lib", "FROM scratch\nCOPY dash-lib.txt /lib.txt\n");
        config("dash-web", "FROM " + image("dash-lib") + "\nCOPY dash-web.txt /web.txt\n");
        browser.get(system.trigger().url() + "/");
        // the page asks for an API token first; a viewer's is enough to watch
        wait.until(d -> d.findElement(By.id("sign-in")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys("not-a-token-of-this-system");
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        wait.until(d -> d.findElement(By.id("sign-in-message")).getText().contains("not accepted"));
        browser.findElement(By.id("token")).sendKeys(TestTokens.VIEWER);
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        wait.until(d -> d.findElement(By.id("live")).getAttribute("class").contains("on"));

        // a build started after the page opened shows up in the list without a reload, and finishes there
        String buildId = startBuild("dash-lib");
        wait.until(d -> d.findElements(By.cssSelector("[data-testid=pipeline-row]")).stream()
                .anyMatch(r -> r.getText().contains("build of dash-lib")));
        awaitSucceeded(buildId);
        wait.until(d -> d.findElements(By.cssSelector("[data-testid=pipeline-row]")).stream()
                .anyMatch(r -> r.getText().contains("build of dash-lib") && r.getText().contains("succeeded")));
        screenshot("pipelines-live");

        // its tree, with the build and the image it pushed; a click on the build shows its log
        wait.until(d -> d.findElements(By.cssSelector("[data-testid=pipeline-row]")).stream()
                .filter(r -> r.getText().contains("build of dash-lib")).findFirst()
                .map(row -> {
                    row.click();
                    return true;
                }).orElse(null));
        // the tree is drawn again as events arrive: find and click the node in one go, again if it was redrawn meanwhile
        String buildText = wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement build = d.findElements(By.cssSelector("#tree [data-testid=node-build]")).stream()
                    .filter(n -> "succeeded".equals(n.getAttribute("data-status"))).findFirst().orElse(null);
            if (build == null) {
                return null;
            }
            String text = build.getText();
            build.click();
            return text;
        });
        assertThat(buildText).contains("dash-lib #1");
        wait.until(d -> d.findElement(By.id("log")).getText().contains("dash-lib.txt"));
        screenshot("pipeline-tree-and-log");

        // the graph: dash-web built FROM dash-lib, a workload running dash-web; dash-lib's blast radius covers both
        awaitSucceeded(startBuild("dash-web"));
        system.kubernetes().apps().deployments().inNamespace(RunningSystem.NAMESPACE)
                .resource(FollowingDeployment.of(RunningSystem.NAMESPACE, "dash-shop", image("dash-web"), 1, null)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(system.deploy().url()).get("/api/workloads")
                .then().extract().jsonPath().getList("name", String.class).contains("dash-shop"));

        browser.findElement(By.cssSelector("nav a[data-view=graph]")).click();
        wait.until(d -> d.findElements(By.cssSelector("#graph g[data-id='" + image("dash-web") + "']")).size() == 1);
        assertThat(browser.findElements(By.cssSelector("#graph [data-testid=graph-workload][data-id='shop/Deployment/dash-shop']"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#graph path.edge[data-from='" + image("dash-lib") + "'][data-to='" + image("dash-web") + "']")))
                .hasSize(1);

        new Select(browser.findElement(By.id("impact-image"))).selectByValue(image("dash-lib"));
        wait.until(d -> d.findElement(By.id("impact-summary")).getText().contains("1 build(s): dash-web; 1 rollout(s)"));
        assertThat(browser.findElement(By.cssSelector("#graph g[data-id='" + image("dash-web") + "']")).getAttribute("class")).contains("hit");
        assertThat(browser.findElement(By.cssSelector("#graph g[data-id='shop/Deployment/dash-shop']")).getAttribute("class")).contains("hit");
        assertThat(browser.findElement(By.cssSelector("#graph g[data-id='" + image("dash-lib") + "']")).getAttribute("class")).contains("chosen");
        screenshot("graph-blast-radius");
    }

    @Test
    void theWatchedImagesPanelShowsTheBaseNoConfigBuildsWithItsDigest() throws Exception {
        // a base pushed from outside Cascade, and a config built FROM it: build-service watches the base
        String digest = system.registry().push("dashboard/outside-base", "1");
        config("dash-tool", "FROM " + reg + "/dashboard/outside-base:1\nCOPY dash-tool.txt /tool.txt\n");
        var watched = await().atMost(Duration.ofMinutes(2)).until(
                () -> given().baseUri(system.build().url()).get("/api/watched-images").then().statusCode(200).extract().jsonPath(),
                j -> digest.equals(j.getString("find { it.image.endsWith('/dashboard/outside-base:1') }.lastDigest")));
        assertThat(watched.getList("find { it.image.endsWith('/dashboard/outside-base:1') }.watchedFor.configs", String.class))
                .containsExactly("dash-tool");
        assertThat(watched.getList("image", String.class)).noneMatch(i -> i.contains("/dashboard/dash-"));

        browser.get(system.trigger().url() + "/#watched");
        browser.executeScript("localStorage.setItem('cascade.token', arguments[0])", TestTokens.VIEWER);
        browser.navigate().refresh();
        try {
            List<String> images = watched.getList("image", String.class);
            wait.until(d -> d.findElements(By.cssSelector("[data-testid=watched-row]")).stream()
                    .map(r -> r.getAttribute("data-image")).toList().equals(images));
            String row = browser.findElements(By.cssSelector("[data-testid=watched-row]")).stream()
                    .filter(r -> r.getAttribute("data-image").endsWith("/dashboard/outside-base:1")).findFirst().orElseThrow().getText();
            assertThat(row).contains("dash-tool").contains(digest.substring("sha256:".length(), "sha256:".length() + 12));
            assertThat(browser.findElement(By.id("view-watched")).isDisplayed()).isTrue();
            screenshot("watched-images");
        } finally {
            browser.executeScript("localStorage.removeItem('cascade.token')");
        }
    }

    static void deploy(String name, String image, Map<String, String> annotations) {
        Deployment d = FollowingDeployment.of(RunningSystem.NAMESPACE, name, image, 1, 60);
        d.getMetadata().getAnnotations().putAll(annotations);
        system.kubernetes().apps().deployments().inNamespace(RunningSystem.NAMESPACE).resource(d).create();
    }

    /** The workload's rollout in the pipeline, once it is in {@code status}. */
    static JsonPath awaitRollout(UUID pipeline, String workload, String status) {
        return await().atMost(Duration.ofMinutes(2)).until(() -> given().baseUri(system.deploy().url()).queryParam("pipeline", pipeline)
                .queryParam("namespace", RunningSystem.NAMESPACE).queryParam("workload", workload).get("/api/rollouts")
                .then().statusCode(200).extract().jsonPath(), j -> j.getList("status").equals(List.of(status)));
    }

    /** Opens a view of the page already loaded, as following one of its links does. */
    static void show(String hash) {
        browser.executeScript("location.hash = arguments[0]", hash);
    }

    /** The numbers of the Build queue's row for a class: running, queued, and the row's text. */
    static Map.Entry<int[], String> queueClass(org.openqa.selenium.WebDriver d, String cls) {
        WebElement row = d.findElement(By.cssSelector("[data-testid=queue-class][data-class=" + cls + "]"));
        List<WebElement> cells = row.findElements(By.tagName("td"));
        return Map.entry(new int[] {Integer.parseInt(cells.get(1).getText()), Integer.parseInt(cells.get(2).getText())}, row.getText());
    }

    @Test
    void theBuildQueueShowsBuildsByClassAndAHeldCascadeIsResumedOrAbortedFromItsPipeline() throws Exception {
        // hold-c1 FROM a base from outside, hold-c2 FROM hold-c1; a workload on each, and a canary on hold-c2 whose
        // pre-rollout hook fails. Built once by hand, so a new base cascades through both in two waves. And an image
        // pushed from outside only, hold-solo, with a workload and such a canary of its own.
        String ns = RunningSystem.NAMESPACE;
        String base = reg + "/dashboard/hold-base:1";
        Buildah buildah = new Buildah(Files.createDirectories(system.work().resolve("buildah-dashboard")));
        CascadeEndToEndTests.pushFromOutside(buildah, system.work(), base, "v1");
        config("hold-c1", "FROM " + base + "\nCOPY hold-c1.txt /c1.txt\n");
        config("hold-c2", "FROM " + image("hold-c1") + "\nCOPY hold-c2.txt /c2.txt\n");
        config("hold-q", "FROM scratch\nCOPY hold-q.txt /q.txt\n");
        awaitSucceeded(startBuild("hold-c1"));
        awaitSucceeded(startBuild("hold-c2"));
        CascadeEndToEndTests.awaitDeployServiceSaw(system.deploy(), image("hold-c1"), system.registry().digest("dashboard/hold-c1", "1"));
        CascadeEndToEndTests.awaitDeployServiceSaw(system.deploy(), image("hold-c2"), system.registry().digest("dashboard/hold-c2", "1"));
        deploy("hold-web", image("hold-c1"), Map.of());
        deploy("hold-late", image("hold-c2"), Map.of());
        Map<String, String> failingCanary = Map.of("cascade.dev/canary", "true",
                "cascade.dev/pre-rollout-hook", "{\"command\":[\"./migrate\",\"--fail\"]}");
        deploy("hold-canary", image("hold-c2"), failingCanary);
        deploy("hold-solo", image("hold-solo"), Map.of());
        deploy("hold-solo-canary", image("hold-solo"), failingCanary);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().baseUri(system.deploy().url()).get("/api/workloads").then().extract()
                .jsonPath().getList("name", String.class).containsAll(List.of("hold-web", "hold-late", "hold-canary", "hold-solo-canary")));

        browser.get(system.trigger().url() + "/#pipelines");
        // resuming and aborting are an operator's
        browser.executeScript("localStorage.setItem('cascade.token', arguments[0])", TestTokens.OPERATOR);
        browser.navigate().refresh();
        try {
            wait.until(d -> d.findElement(By.id("live")).getAttribute("class").contains("on"));
            CascadeEndToEndTests.pushFromOutside(buildah, system.work(), base, "v2");
            // the cascade's pipeline is that of hold-c1's next build: v2's own, or v1's when v2 came inside v1's coalescing
            // window and joined its cascade (v1's push is taken when something here uses the registry already)
            UUID cascade = await().atMost(Duration.ofMinutes(1)).until(() -> given().baseUri(system.build().url())
                    .queryParam("config", "hold-c1").get("/api/builds").then().extract().jsonPath().getList("$", Map.class).stream()
                    .filter(b -> ((Number) b.get("number")).intValue() >= 2).map(b -> UUID.fromString((String) b.get("pipelineId")))
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            // meanwhile a cascade of hold-solo starts, to be aborted below
            String solo = system.registry().push("dashboard/hold-solo", "1");

            // while the cascade builds its two waves, two builds by hand of one config queue as interactive
            startBuild("hold-q");
            startBuild("hold-q");
            show("#queue");
            wait.until(d -> {
                var interactive = queueClass(d, "interactive");
                var cascades = queueClass(d, "cascade");
                return interactive.getKey()[0] + interactive.getKey()[1] >= 2 && interactive.getValue().contains("hold-q #")
                        && cascades.getKey()[0] + cascades.getKey()[1] >= 1
                        && d.findElements(By.cssSelector("[data-testid=queue-cascade]")).stream()
                                .anyMatch(r -> r.getText().contains("/dashboard/hold-base:1"));
            });
            screenshot("build-queue");

            // hold-web's image (wave one) is pushed before the canary's (wave two): it waits for the canary, whose hook
            // fails, and is held with the rest of the cascade
            String why = awaitRollout(cascade, "hold-web", "held").getString("[0].reason");
            assertThat(why).startsWith("canary " + ns + "/Deployment/hold-canary failed");
            awaitRollout(cascade, "hold-late", "held");
            assertThat(FollowingDeployment.image(system.kubernetes(), ns, "hold-web")).isEqualTo(image("hold-c1"));

            show("#pipeline/" + cascade);
            wait.until(d -> d.findElement(By.cssSelector("[data-testid=pipeline-resume]")).isDisplayed());
            screenshot("pipeline-held");
            click("pipeline-resume");
            awaitRollout(cascade, "hold-web", "succeeded");
            awaitRollout(cascade, "hold-late", "succeeded");
            String c2 = reg + "/dashboard/hold-c2@" + system.registry().digest("dashboard/hold-c2", "1");
            assertThat(FollowingDeployment.image(system.kubernetes(), ns, "hold-web"))
                    .isEqualTo(reg + "/dashboard/hold-c1@" + system.registry().digest("dashboard/hold-c1", "1"));
            assertThat(FollowingDeployment.image(system.kubernetes(), ns, "hold-late")).isEqualTo(c2);
            assertThat(FollowingDeployment.image(system.kubernetes(), ns, "hold-canary")).isEqualTo(image("hold-c2"));
            wait.until(d -> d.findElements(By.cssSelector("[data-testid=pipeline-resume]")).isEmpty());

            // hold-solo's cascade, held by its canary, is aborted
            UUID second = CascadeEndToEndTests.pipelineOfPush(system.build(), image("hold-solo"), solo);
            awaitRollout(second, "hold-solo", "held");
            show("#pipeline/" + second);
            wait.until(d -> d.findElement(By.cssSelector("[data-testid=pipeline-abort]")).isDisplayed());
            click("pipeline-abort");
            assertThat(awaitRollout(second, "hold-solo", "aborted").getString("[0].reason"))
                    .startsWith("the cascade's remaining rollouts were aborted");
            assertThat(FollowingDeployment.image(system.kubernetes(), ns, "hold-solo")).isEqualTo(image("hold-solo"));
            wait.until(d -> d.findElements(By.cssSelector("[data-testid=pipeline-abort]")).isEmpty());
            screenshot("pipeline-aborted");
        } finally {
            browser.executeScript("localStorage.removeItem('cascade.token')");
        }
    }

    /**
     * Clicks the element with the test id once it is there. The pipeline view re-renders as the pipeline's events come in,
     * which can replace the element between finding and clicking it; a click on a replaced element did not happen, so it
     * is tried again on the new one.
     */
    private void click(String testId) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("[data-testid=" + testId + "]")).click();
            return true;
        });
    }
}
