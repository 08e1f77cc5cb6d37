package dev.cascade.build.cascade;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.build.RegistryReports;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cascades on real builds: a diamond of configs (base; mid1 and mid2 FROM base; app FROM mid1 with a stage
 * FROM mid2) is rebuilt in order when base changes, each config once, and a failure skips what depends on it.
 * A build's success publishes its image itself, so a new base built by Cascade cascades in its build's pipeline;
 * registries' reports of the same pushes change nothing. Each test uses its own diamond, so they do not see each
 * other's builds.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class CascadeTests {

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("cascade");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    /** Creates the diamond's four configs with prefix {@code p} and builds each once by hand, in order. */
    static void diamond(String p) throws Exception {
        config(p + "-base", Map.of("Dockerfile", "FROM scratch\nCOPY base.txt /base.txt\n", "base.txt", "v1"));
        config(p + "-mid1", Map.of("Dockerfile", "FROM " + image(p + "-base") + "\nCOPY mid1.txt /mid1.txt\n", "mid1.txt", "mid1"));
        config(p + "-mid2", Map.of("Dockerfile", "FROM " + image(p + "-base") + "\nCOPY mid2.txt /mid2.txt\n", "mid2.txt", "mid2"));
        config(p + "-app", Map.of("Dockerfile", "FROM " + image(p + "-mid2") + " AS tools\n"
                + "FROM " + image(p + "-mid1") + "\nCOPY --from=tools /mid2.txt /from-mid2.txt\nCOPY app.txt /app.txt\n", "app.txt", "app"));
        for (String c : List.of("base", "mid1", "mid2", "app")) {
            buildByHand(p + "-" + c);
        }
    }

    static String image(String config) {
        return reg + "/cascade/" + config + ":1";
    }

    static void config(String name, Map<String, String> files) throws Exception {
        String repo = git.create(name);
        git.commit(name, files, name);
        given().contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, image(name)))
                .post("/api/build-configs").then().statusCode(201);
    }

    static JsonPath buildByHand(String config) {
        String id = given().contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds").then().statusCode(202)
                .extract().path("id");
        JsonPath b = await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/builds/" + id).then().extract().jsonPath(),
                j -> List.of("succeeded", "failed", "cancelled").contains(j.getString("status")));
        assertThat(b.getString("status")).as(() -> given().get("/api/builds/" + id + "/log").asString()).isEqualTo("succeeded");
        return b;
    }

    /** A registry's report that {@code config}'s tag points at {@code digest}, as trigger-service forwards it (a root event). */
    static void reported(String config, UUID eventId, String digest) {
        RegistryReports.report(reg, "cascade/" + config, "1", digest, eventId);
    }

    /** The pipeline's builds once none of them is queued or running. */
    static JsonPath awaitPipeline(UUID pipeline, int builds) {
        return await().atMost(Duration.ofSeconds(180)).until(
                () -> given().queryParam("pipeline", pipeline).get("/api/builds").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("$").size() == builds && j.getList("status", String.class).stream()
                        .allMatch(s -> List.of("succeeded", "failed", "cancelled", "skipped").contains(s)));
    }

    static Map<String, Object> build(JsonPath builds, String config) {
        return builds.getMap("find { it.config == '" + config + "' }");
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> bases(Map<String, Object> build) {
        return (Map<String, String>) build.get("baseDigests");
    }

    @SuppressWarnings("unchecked")
    static List<String> after(Map<String, Object> build) {
        return (List<String>) build.get("after");
    }

    static OffsetDateTime time(Map<String, Object> build, String field) {
        return OffsetDateTime.parse((String) build.get(field));
    }

    @Test
    void aNewBaseRebuildsEachDependentOnceAfterAllOfItsParentsOnTheNewDigests() throws Exception {
        diamond("d");
        given().queryParam("image", image("d-base")).get("/api/impact").then().statusCode(200)
                .body("builds", equalTo(3))
                .body("waves[0].configs.config", equalTo(List.of("d-mid1", "d-mid2")))
                .body("waves[1].configs.config", equalTo(List.of("d-app")))
                .body("waves[1].configs[0].after", equalTo(List.of("d-mid1", "d-mid2")))
                // deploy-service does not run beside this test: the answer says so rather than claiming no rollouts
                .body("rolloutsUnavailable", containsString("deploy-service"));

        // base v2, built by Cascade: its success publishes the new base, which rebuilds the rest in its pipeline
        git.commit("d-base", Map.of("base.txt", "v2"), "v2");
        UUID pipeline = UUID.fromString(buildByHand("d-base").getString("pipelineId"));
        String newBase = registry.digest("cascade/d-base", "1");
        // the registry's report of that push, sent three times, is the same image: nothing more
        List<UUID> reports = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        reports.forEach(report -> reported("d-base", report, newBase));

        JsonPath builds = awaitPipeline(pipeline, 4);
        assertThat(builds.getList("config", String.class)).containsExactlyInAnyOrder("d-base", "d-mid1", "d-mid2", "d-app");
        assertThat(builds.getList("status", String.class)).containsOnly("succeeded");
        Map<String, Object> mid1 = build(builds, "d-mid1");
        Map<String, Object> mid2 = build(builds, "d-mid2");
        Map<String, Object> app = build(builds, "d-app");
        assertThat(bases(mid1)).containsEntry(image("d-base"), newBase);
        assertThat(bases(mid2)).containsEntry(image("d-base"), newBase);
        assertThat(after(app)).containsExactly("d-mid1", "d-mid2");
        assertThat(time(app, "startedAt")).isAfterOrEqualTo(time(mid1, "finishedAt")).isAfterOrEqualTo(time(mid2, "finishedAt"));
        assertThat(bases(app))
                .containsEntry(image("d-mid1"), registry.digest("cascade/d-mid1", "1"))
                .containsEntry(image("d-mid2"), registry.digest("cascade/d-mid2", "1"));
        assertThat(registry.files("cascade/d-app", "1")).containsEntry("base.txt", "v2").containsEntry("from-mid2.txt", "mid2");

        // the cascade's own pushes, reported by the registry, build nothing more
        UUID mid1Report = UUID.randomUUID();
        reported("d-mid1", mid1Report, registry.digest("cascade/d-mid1", "1"));
        // a report of another tag of each repository comes after those: once it is taken, so were they
        RegistryReports.awaitTaken(registry, "cascade/d-base");
        RegistryReports.awaitTaken(registry, "cascade/d-mid1");
        assertThat(given().get("/api/images/" + image("d-mid1")).then().extract().jsonPath().getString("pipelineId"))
                .isEqualTo(pipeline.toString());
        assertThat(given().queryParam("pipeline", pipeline).get("/api/builds").then().extract().jsonPath().getList("$")).hasSize(4);
        for (UUID report : List.of(reports.get(0), reports.get(1), reports.get(2), mid1Report)) {
            assertThat(given().queryParam("pipeline", report).get("/api/builds").then().extract().jsonPath().getList("$")).isEmpty();
        }
    }

    @Test
    void aFailedParentSkipsItsSubtreeWithTheReasonAndTheOtherBranchStillBuilds() throws Exception {
        diamond("f");
        git.commit("f-mid1", Map.of("Dockerfile", "FROM " + image("f-base") + "\nCOPY missing.txt /missing.txt\n"), "broken");
        git.commit("f-base", Map.of("base.txt", "v2"), "v2");
        UUID pipeline = UUID.fromString(buildByHand("f-base").getString("pipelineId"));

        JsonPath builds = awaitPipeline(pipeline, 4);
        assertThat(build(builds, "f-mid1")).containsEntry("status", "failed");
        assertThat(build(builds, "f-mid2")).containsEntry("status", "succeeded");
        Map<String, Object> app = build(builds, "f-app");
        assertThat(app).containsEntry("status", "skipped");
        assertThat((String) app.get("reason")).startsWith("skipped: parent f-mid1 #2 failed");
        assertThat(app.get("startedAt")).isNull();
    }

    @Test
    void pushesOfOneTagInsideTheWindowCoalesceIntoOneCascadeOnTheLatestDigest() throws Exception {
        diamond("c");
        // two pushes of the base tag from outside Cascade (no build of it runs), each reported as the registry notifies
        // it, right after it: the registry confirms each report while the tag still points at its digest
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        String v2 = registry.push("cascade/c-base", "1");
        reported("c-base", first, v2);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(
                () -> v2.equals(given().get("/api/images/" + image("c-base")).then().extract().path("digest")));
        String v3 = registry.push("cascade/c-base", "1");
        reported("c-base", second, v3);

        JsonPath builds = awaitPipeline(first, 3);
        assertThat(build(builds, "c-mid1").get("reason")).asString().contains("2 pushes coalesced");
        assertThat(bases(build(builds, "c-mid1"))).containsEntry(image("c-base"), v3);
        assertThat(given().queryParam("pipeline", second).get("/api/builds").then().extract().jsonPath().getList("$")).isEmpty();
        assertThat(given().queryParam("config", "c-app").get("/api/builds").then().extract().jsonPath().getList("$")).hasSize(2);

        // each push's pipeline learns what its cascade queued: the first's three builds, the second none (it joined the first)
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             var events = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.BUILDS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> plans(events.getRecords(), first).size() == 1 && plans(events.getRecords(), second).size() == 1);
            assertThat(plans(events.getRecords(), first).get(0)).contains("\"builds\":3", "\"cascadePipeline\":\"" + first + "\"", "\"digest\":\"" + v3 + "\"");
            assertThat(plans(events.getRecords(), second).get(0)).contains("\"builds\":0", "\"cascadePipeline\":\"" + first + "\"");
        }
    }

    /** The {@code cascade.cascade.planned} events published under the pipeline. */
    static List<String> plans(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records, UUID pipeline) {
        return records.stream()
                .filter(r -> EventTypes.CASCADE_PLANNED.equals(CloudEventRecords.header(r.headers(), "ce_type"))
                        && pipeline.toString().equals(CloudEventRecords.header(r.headers(), "ce_pipelineid")))
                .map(r -> r.value())
                .toList();
    }
}
