package dev.cascade.build.image;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.build.RegistryReports;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A registry's report is believed only as far as the registry confirms it: the tag is asked for again before anything
 * acts on the report. A digest the registry does not serve is refused with the reason and builds nothing; a report
 * of a tag that has moved on since publishes what the tag points at now; a registry that cannot be asked keeps its
 * reports waiting, without holding up the others, until they are refused as not verifiable. Real registries, builds,
 * broker and database.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class RegistryReportVerificationTests {

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("report-verification");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void aReportOfADigestTheRegistryDoesNotHaveIsRefusedWithTheReasonAndBuildsNothing() throws Exception {
        // a config built on a base from outside Cascade
        String base = registry.push("verify/base", "1");
        String repo = git.create("verify-app");
        git.commit("verify-app", Map.of("Dockerfile", "FROM " + reg + "/verify/base:1\nCOPY a /a\n", "a", "a"), "one");
        given().contentType("application/json")
                .body("{\"name\":\"verify-app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/verify/app:1\"}".formatted(repo, reg))
                .post("/api/build-configs").then().statusCode(201);
        String first = given().contentType("application/json").body("{}").post("/api/build-configs/verify-app/builds").then()
                .statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).until(() -> "succeeded".equals(given().get("/api/builds/" + first).then().extract().path("status")));

        // someone holding the webhook token claims a digest the registry never had, and a tag it does not have
        String forged = RegistryReports.digest();
        UUID forgedReport = UUID.randomUUID();
        UUID absentTag = UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> pushes = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGES)) {
            RegistryReports.report(reg, "verify/base", "1", forged, forgedReport);
            RegistryReports.report(reg, "verify/base", "2", forged, absentTag);

            Map<String, Object> refused = awaitRefused(forgedReport);
            assertThat((String) refused.get("image")).isEqualTo(reg + "/verify/base:1");
            assertThat((String) refused.get("reportedDigest")).isEqualTo(forged);
            assertThat((String) refused.get("currentDigest")).isEqualTo(base);
            assertThat((String) refused.get("sender")).isEqualTo("distribution");
            assertThat((String) refused.get("deliveryId")).isEqualTo("delivery-" + forgedReport);
            assertThat((String) refused.get("reason")).contains("not in the registry").contains("does not hold " + forged);
            assertThat((String) refused.get("refusedAt")).isNotBlank();
            Map<String, Object> noTag = awaitRefused(absentTag);
            assertThat((String) noTag.get("reason")).contains("has no tag 2");
            assertThat((String) noTag.get("currentDigest")).isNull();

            // nothing published, nothing built; the same base's real push, reported, does both
            String pushed = registry.push("verify/base", "1");
            UUID realReport = UUID.randomUUID();
            RegistryReports.report(reg, "verify/base", "1", pushed, realReport);
            await().atMost(Duration.ofSeconds(30)).until(() -> pushes.getRecords().stream().anyMatch(r -> r.value().contains(pushed)));
            assertThat(pushes.getRecords()).noneMatch(r -> r.value().contains(forged));
            JsonPath built = await().atMost(Duration.ofSeconds(60)).until(
                    () -> given().queryParam("config", "verify-app").get("/api/builds").then().extract().jsonPath(),
                    j -> j.getList("$").size() == 2);
            assertThat(built.getString("[0].pipelineId")).isEqualTo(realReport.toString());
            assertThat(given().queryParam("pipeline", forgedReport).get("/api/builds").then().extract().jsonPath().getList("$")).isEmpty();
            assertThat(given().queryParam("pipeline", absentTag).get("/api/builds").then().extract().jsonPath().getList("$")).isEmpty();
            assertThat(given().get("/api/images/" + reg + "/verify/base:2").statusCode()).isEqualTo(404);
        }
        // newest first
        List<OffsetDateTime> times = given().get("/api/image-reports/refused").then().statusCode(200).extract().jsonPath()
                .getList("refusedAt", String.class).stream().map(OffsetDateTime::parse).toList();
        assertThat(times).hasSizeGreaterThanOrEqualTo(2).isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void aReportOfATagThatHasMovedOnSincePublishesTheDigestTheTagPointsAtNow() throws Exception {
        String older = registry.push("verify/moved", "1");
        String current = registry.push("verify/moved", "1");
        UUID report = UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> pushes = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGES)) {
            RegistryReports.report(reg, "verify/moved", "1", older, report);
            ConsumerRecord<String, String> published = await().atMost(Duration.ofSeconds(30)).until(() -> pushes.getRecords().stream()
                    .filter(r -> (reg + "/verify/moved").equals(r.key())).findFirst().orElse(null), Objects::nonNull);
            assertThat(published.value()).contains("\"digest\":\"" + current + "\"").contains("\"image\":\"" + reg + "/verify/moved:1\"")
                    .contains("\"sender\":\"distribution\"").contains("\"deliveryId\":\"delivery-" + report + "\"");
            assertThat(CloudEventRecords.header(published.headers(), "ce_pipelineid")).isEqualTo(report.toString());
            RegistryReports.awaitTaken(registry, "verify/moved");
            assertThat(pushes.getRecords()).noneMatch(r -> r.value().contains(older));
        }
        assertThat(given().get("/api/images/" + reg + "/verify/moved:1").then().extract().jsonPath().getString("digest")).isEqualTo(current);
        assertThat(given().get("/api/image-reports/refused").then().extract().jsonPath().getList("eventId")).doesNotContain(report.toString());
    }

    @Test
    void aReportWhoseRegistryCannotBeAskedWaitsWithoutHoldingUpOthersAndIsRefusedAsNotVerifiedInTime() throws Exception {
        LocalRegistry gone = LocalRegistry.start(work.resolve("gone"), null, null);
        String digest = gone.push("verify/gone", "1");
        gone.close();
        UUID waiting = UUID.randomUUID();
        RegistryReports.report(gone.host(), "verify/gone", "1", digest, waiting);
        await().atMost(Duration.ofSeconds(30)).until(() -> lastError(waiting) != null);
        assertThat(lastError(waiting)).contains("registry " + gone.host());

        // reports after it are taken meanwhile
        RegistryReports.awaitTaken(registry, "verify/others");
        assertThat(lastError(waiting)).isNotNull();

        // cascade.registry.verify-timeout (20 s in tests) after it came, it is refused
        Map<String, Object> refused = await().atMost(Duration.ofSeconds(60)).until(() -> refusal(waiting), Objects::nonNull);
        assertThat((String) refused.get("reason")).startsWith("could not be verified in 20 s: ").contains(gone.host());
        assertThat(given().get("/api/images/" + gone.host() + "/verify/gone:1").statusCode()).isEqualTo(404);
    }

    @Test
    void reportsOfARegistryWhoseReportsAreNotVerifiedArePublishedWithoutAskingIt() {
        // cascade.registry.verify."unverified.example.com"=false in the test configuration: no such registry can be asked
        String digest = RegistryReports.digest();
        UUID report = UUID.randomUUID();
        RegistryReports.report("unverified.example.com", "team/app", "1", digest, report);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                given().get("/api/images/unverified.example.com/team/app:1").then().extract().jsonPath().getString("digest")).isEqualTo(digest));
        assertThat(given().get("/api/image-reports/refused").then().extract().jsonPath().getList("eventId")).doesNotContain(report.toString());
    }

    @Test
    void aReportOfARegistryNothingUsesIsRefusedWithoutARequestToIt() throws Exception {
        // 127.0.0.2 is neither allowed (the tests allow localhost and 127.0.0.1) nor the registry of any image the graph or
        // watch list names
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
            AtomicInteger connections = new AtomicInteger();
            Thread accepting = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            UUID report = UUID.randomUUID();
            String named = "127.0.0.2:" + listener.getLocalPort();
            RegistryReports.report(named, "team/app", "1", RegistryReports.digest(), report);
            Map<String, Object> refused = awaitRefused(report);
            assertThat((String) refused.get("reason")).contains("registry " + named + " is not asked");
            assertThat(connections).hasValue(0);
            assertThat(given().get("/api/images/" + named + "/team/app:1").statusCode()).isEqualTo(404);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static Map<String, Object> awaitRefused(UUID report) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> refusal(report), Objects::nonNull);
    }

    /** The refusal of a report as {@code GET /api/image-reports/refused} lists it; null when it is not listed. */
    private static Map<String, Object> refusal(UUID report) {
        JsonPath all = given().get("/api/image-reports/refused").then().statusCode(200).extract().jsonPath();
        int i = all.getList("eventId").indexOf(report.toString());
        return i < 0 ? null : all.getMap("[" + i + "]");
    }

    private static String lastError(UUID report) {
        try {
            List<String> errors = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                    .chain(s -> s.createNativeQuery("SELECT last_error FROM image_report_check WHERE event_id = ?1", String.class)
                            .setParameter(1, report).getResultList())));
            return errors.isEmpty() ? null : errors.get(0);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
