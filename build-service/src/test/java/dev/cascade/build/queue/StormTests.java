package dev.cascade.build.queue;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Base-image storms on real builds, with the test settings (capacity 2, cascade share one slot, a 2 s coalescing
 * window): a git push is not queued behind a running cascade, and a base pushed again while its cascade runs cancels the
 * older cascade's queued builds as superseded, each config ending built on the newer digest.
 *
 * <p>Each graph is many configs built from one repository ({@code FROM} the base, one {@code COPY}); their
 * {@code config_input} rows get the base's first digest with SQL, as a first build of each would have left them, so the
 * test spends its time on the cascades rather than on twenty first builds.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class StormTests {

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @Inject
    Pool db;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("storm");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    static String image(String name) {
        return reg + "/storm/" + name + ":1";
    }

    static void config(String name, String repository) {
        given().contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repository, image(name)))
                .post("/api/build-configs").then().statusCode(201);
    }

    /** {@code n} configs {@code p-0…} FROM {@code p-base}, as if each had built on the base at {@code digest}. */
    void graph(String p, int n, String digest) throws Exception {
        String repo = git.create(p + "-graph");
        git.commit(p + "-graph", Map.of("Dockerfile", "FROM " + image(p + "-base") + "\nCOPY a.txt /a.txt\n", "a.txt", p), "graph");
        for (int i = 0; i < n; i++) {
            config(p + "-" + i, repo);
        }
        int seeded = db.preparedQuery("UPDATE config_input SET digest = $1 WHERE config LIKE $2").execute(Tuple.of(digest, p + "-%"))
                .await().atMost(Duration.ofSeconds(10)).rowCount();
        assertThat(seeded).isEqualTo(n);
    }

    static JsonPath builds(UUID pipeline) {
        return given().queryParam("pipeline", pipeline).queryParam("limit", 1000).get("/api/builds").then().statusCode(200).extract().jsonPath();
    }

    static List<Map<String, Object>> list(JsonPath builds) {
        return builds.getList("$");
    }

    static OffsetDateTime time(Map<String, Object> build, String field) {
        return build.get(field) == null ? null : OffsetDateTime.parse((String) build.get(field));
    }

    static boolean ended(Map<String, Object> b) {
        return List.of("succeeded", "failed", "cancelled", "skipped").contains((String) b.get("status"));
    }

    @Test
    void aGitPushStartsWithinOneBuildSlotWhileACascadeOfTwentyConfigsRuns() throws Exception {
        graph("p", 20, registry.push("storm/p-base", "1"));
        String appRepo = git.create("p-app");
        git.commit("p-app", Map.of("Dockerfile", "FROM scratch\nCOPY app.txt /app.txt\n", "app.txt", "v1"), "app");
        config("p-app", appRepo);

        UUID cascade = UUID.randomUUID();
        RegistryReports.report(reg, "storm/p-base", "1", registry.push("storm/p-base", "1"), cascade);
        await().atMost(Duration.ofSeconds(60)).until(() -> list(builds(cascade)).stream().filter(b -> "succeeded".equals(b.get("status"))).count() >= 2);

        // the queue while the cascade runs alone: cascade builds only, the oldest waiting for a slot
        JsonPath queue = given().get("/api/queue").then().statusCode(200).extract().jsonPath();
        assertThat(queue.getInt("capacity")).isEqualTo(2);
        assertThat(queue.getInt("cascadeSlots")).isEqualTo(1);
        assertThat(queue.getInt("cascade.queued")).isGreaterThan(0);
        assertThat(queue.getInt("interactive.queued")).isZero();
        assertThat(queue.getString("cascade.oldestWaiting.queueClass")).isEqualTo("cascade");
        assertThat(queue.getString("cascade.oldestWaiting.why")).isNotBlank();
        assertThat(queue.getList("cascades.triggerImage", String.class)).contains(image("p-base"));

        // a git push to an unrelated config, in the middle of the cascade
        String commit = git.commit("p-app", Map.of("app.txt", "v2"), "v2");
        String canonical = "file://" + work.resolve("git/p-app");
        UUID push = UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            kafka.produce(Serdes.String(), Serdes.String()).fromRecords(CloudEventRecords.event(Topics.SOURCE, canonical, push,
                    EventTypes.SOURCE_PUSHED, """
                            {"repository":"%s","refType":"BRANCH","ref":"main","before":"%s","after":"%s","changedPaths":null,
                             "pusher":"alice","sender":"generic","deliveryId":"d"}""".formatted(canonical, "0".repeat(40), commit)))
                    .awaitCompletion();
        }
        Map<String, Object> app = await().atMost(Duration.ofSeconds(60)).until(() -> list(builds(push)),
                l -> l.size() == 1 && ended(l.get(0))).get(0);
        assertThat(app.get("status")).isEqualTo("succeeded");
        assertThat(app.get("queueClass")).isEqualTo("interactive");
        assertThat(app.get("commit")).isEqualTo(commit);

        List<Map<String, Object>> cascadeBuilds = list(builds(cascade));
        assertThat(cascadeBuilds).hasSize(20).allSatisfy(b -> assertThat(b.get("queueClass")).isEqualTo("cascade"));
        OffsetDateTime queued = time(app, "createdAt");
        OffsetDateTime started = time(app, "startedAt");
        // alone, the cascade had used both slots, as cascades always did
        List<Map<String, Object>> before = cascadeBuilds.stream().filter(b -> b.get("startedAt") != null && time(b, "startedAt").isBefore(queued))
                .sorted(Comparator.comparing(b -> time(b, "startedAt"))).toList();
        assertThat(before.stream().anyMatch(a -> before.stream().anyMatch(b -> a != b && time(b, "startedAt").isBefore(finished(a))
                && !time(b, "startedAt").isBefore(time(a, "startedAt"))))).as("two cascade builds ran at once").isTrue();
        // the push was queued behind no cascade build: none started between its queueing and its start
        assertThat(cascadeBuilds).noneMatch(b -> b.get("startedAt") != null && time(b, "startedAt").isAfter(queued)
                && time(b, "startedAt").isBefore(started));
        // and it started when the first slot came free (or at once)
        OffsetDateTime firstFree = cascadeBuilds.stream().map(b -> time(b, "finishedAt")).filter(Objects::nonNull)
                .filter(f -> f.isAfter(queued)).min(Comparator.naturalOrder()).orElse(queued);
        assertThat(Duration.between(firstFree, started)).isLessThan(Duration.ofSeconds(2));

        // the rest of the cascade is not this test's: cancelled, so later tests find free slots
        cascadeBuilds.stream().filter(b -> "queued".equals(b.get("status")))
                .forEach(b -> given().post("/api/builds/" + b.get("id") + "/cancel").then().statusCode(org.hamcrest.Matchers.oneOf(202, 409)));
        await().atMost(Duration.ofSeconds(60)).until(() -> list(builds(cascade)).stream().allMatch(StormTests::ended));
    }

    static OffsetDateTime finished(Map<String, Object> b) {
        OffsetDateTime f = time(b, "finishedAt");
        return f == null ? OffsetDateTime.MAX : f;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBasePushedAgainWhileItsCascadeRunsSupersedesTheOlderCascadesQueuedBuilds() throws Exception {
        graph("q", 10, registry.push("storm/q-base", "1"));
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            var events = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.BUILDS);
            UUID older = UUID.randomUUID();
            String v2 = registry.push("storm/q-base", "1");
            RegistryReports.report(reg, "storm/q-base", "1", v2, older);
            // the older cascade has started (its window closed), so the next push is outside it: a cascade of its own
            await().atMost(Duration.ofSeconds(30)).until(() -> list(builds(older)).stream().anyMatch(b -> b.get("startedAt") != null));
            UUID newer = UUID.randomUUID();
            String v3 = registry.push("storm/q-base", "1");
            RegistryReports.report(reg, "storm/q-base", "1", v3, newer);

            // each config ends built on the newer digest: by the newer cascade, or by an older build that pulled the base after
            // the second push and recorded it before the newer cascade was planned (which then leaves that config out)
            await().atMost(Duration.ofSeconds(90)).until(() -> !list(builds(newer)).isEmpty()
                    && list(builds(newer)).stream().allMatch(StormTests::ended) && list(builds(older)).stream().allMatch(StormTests::ended));
            for (int i = 0; i < 10; i++) {
                Map<String, Object> latest = given().queryParam("config", "q-" + i).queryParam("status", "succeeded").get("/api/builds")
                        .then().extract().jsonPath().getMap("[0]");
                assertThat((Map<String, Object>) latest.get("baseDigests")).as("q-" + i).containsEntry(image("q-base"), v3);
            }
            List<Map<String, Object>> newerBuilds = list(builds(newer));
            assertThat(newerBuilds).allSatisfy(b -> {
                assertThat(b.get("status")).isEqualTo("succeeded");
                assertThat(b.get("queueClass")).isEqualTo("cascade");
            });
            List<Map<String, Object>> olderBuilds = list(builds(older));
            assertThat(olderBuilds).hasSize(10);
            List<Map<String, Object>> superseded = olderBuilds.stream().filter(b -> "cancelled".equals(b.get("status"))).toList();
            assertThat(superseded).isNotEmpty().allSatisfy(b -> {
                assertThat(b.get("reason")).isEqualTo("superseded by pipeline " + newer);
                assertThat(b.get("startedAt")).isNull();
            });
            // the newer cascade redid every superseded config
            assertThat(newerBuilds.stream().map(b -> b.get("config")).toList())
                    .containsAll(superseded.stream().map(b -> b.get("config")).toList());
            // what had started ran to its end and kept its result (on the digest the tag had when it pulled the base)
            assertThat(olderBuilds).filteredOn(b -> b.get("startedAt") != null).isNotEmpty()
                    .allSatisfy(b -> assertThat(b.get("status")).isEqualTo("succeeded"));
            // the pipeline view learns of each supersession from the build's cancelled event, with the reason
            Map<String, Object> one = superseded.get(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> events.getRecords().stream().anyMatch(r -> one.get("config").equals(r.key())
                    && (EventTypes.BUILD_PREFIX + "cancelled").equals(CloudEventRecords.header(r.headers(), "ce_type"))
                    && older.toString().equals(CloudEventRecords.header(r.headers(), "ce_pipelineid"))
                    && r.value().contains("superseded by pipeline " + newer)));
        }
    }
}
