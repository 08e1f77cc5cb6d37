package dev.cascade.build.queue;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run policies, timeouts, history limits and followed logs, on real builds. */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class BuildQueueTests {

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("build-queue");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
        new Buildah(work.resolve("buildah")).pushBusybox(reg + "/tools/busybox:1");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static void create(String name, String dockerfile, String extra) throws Exception {
        String repo = git.create(name);
        git.commit(name, Map.of("Dockerfile", dockerfile), name);
        given().contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/q/%s:1\"%s}".formatted(name, repo, reg, name, extra))
                .post("/api/build-configs").then().statusCode(201);
    }

    static String build(String config) {
        return given().contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds").then()
                .statusCode(202).extract().path("id");
    }

    static JsonPath awaitEnded(String id) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/builds/" + id).then().extract().jsonPath(),
                b -> List.of("succeeded", "failed", "cancelled").contains(b.getString("status")));
    }

    @Test
    void aBuildOverItsTimeoutFailsAndSaysSo() throws Exception {
        create("timeout", "FROM " + reg + "/tools/busybox:1\nRUN sleep 300\n", ",\"timeoutSeconds\":5");
        JsonPath b = awaitEnded(build("timeout"));
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("reason")).contains("timed out after 5 s");
    }

    @Test
    void serialLatestOnlyCancelsQueuedBuildsSupersededByANewerOne() throws Exception {
        create("latest", "FROM " + reg + "/tools/busybox:1\nRUN sleep 3\n", ",\"runPolicy\":\"SerialLatestOnly\"");
        String first = build("latest");
        await().atMost(Duration.ofSeconds(30)).until(() -> "started".equals(given().get("/api/builds/" + first).then().extract().path("status")));
        String second = build("latest");
        String third = build("latest");

        assertThat(awaitEnded(second).getString("reason")).isEqualTo("superseded by build #3 (SerialLatestOnly)");
        assertThat(awaitEnded(second).getString("status")).isEqualTo("cancelled");
        JsonPath one = awaitEnded(first);
        JsonPath three = awaitEnded(third);
        assertThat(one.getString("status")).isEqualTo("succeeded");
        assertThat(three.getString("status")).isEqualTo("succeeded");
        // serial: the third started only after the first had finished
        assertThat(java.time.OffsetDateTime.parse(three.getString("startedAt")))
                .isAfterOrEqualTo(java.time.OffsetDateTime.parse(one.getString("finishedAt")));
    }

    @Test
    void parallelBuildsOfOneConfigRunSideBySide() throws Exception {
        create("parallel", "FROM " + reg + "/tools/busybox:1\nRUN sleep 4\n", ",\"runPolicy\":\"Parallel\"");
        String a = build("parallel");
        String b = build("parallel");
        await().atMost(Duration.ofSeconds(60)).until(() -> "started".equals(given().get("/api/builds/" + a).then().extract().path("status"))
                && "started".equals(given().get("/api/builds/" + b).then().extract().path("status")));
        assertThat(awaitEnded(a).getString("status")).isEqualTo("succeeded");
        assertThat(awaitEnded(b).getString("status")).isEqualTo("succeeded");
    }

    @Test
    void historyKeepsOnlyTheConfiguredNumberOfFinishedBuilds() throws Exception {
        create("history", "FROM scratch\n", ",\"history\":{\"successful\":1,\"failed\":1}");
        awaitEnded(build("history"));
        String last = build("history");
        awaitEnded(last);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().queryParam("config", "history").get("/api/builds").then()
                .body("size()", equalTo(1)).body("[0].id", equalTo(last)));
    }

    @Test
    void aFollowedLogStreamsUntilTheBuildEnds() throws Exception {
        create("follow", "FROM " + reg + "/tools/busybox:1\nRUN echo first && sleep 2 && echo second\n", "");
        String id = build("follow");
        String log = given().queryParam("follow", true).get("/api/builds/" + id + "/log").then().statusCode(200).extract().asString();
        assertThat(log).contains("first").contains("second").contains("buildah");
        assertThat(awaitEnded(id).getString("status")).isEqualTo("succeeded");
        given().get("/api/builds/" + id + "/log").then().body(containsString("second"));
    }
}
