package dev.cascade.build.image;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.build.RegistryReports;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.Causation;
import dev.cascade.testsupport.Buildah;
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
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * build-service is the one publisher of {@code cascade.image.pushed}: a build's image goes out with its success, in its
 * pipeline; a registry's report of a push is the build's own when the build pushed that digest, is held for a build of
 * the tag that is still running and settled by its end, and is a push from outside otherwise; what no build of Cascade
 * pushed is acted on only as its registry confirms it. Real builds, a real registry and the real broker.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class ImagePushOwnershipTests {

    @Inject
    ImagePushes imagePushes;

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("image-pushes");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
        new Buildah(work.resolve("buildah")).pushBusybox(reg + "/tools/busybox:1");
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void aSucceededBuildPublishesItsImageOnceInItsPipelineAndTheRegistrysLaterReportOfItPublishesNothing() throws Exception {
        String repo = git.create("ownership-own");
        git.commit("ownership-own", Map.of("Dockerfile", "FROM scratch\nCOPY a /a\n", "a", "a"), "one");
        createConfig("ownership-own", repo, reg + "/team/own:1");
        JsonPath build = awaitEnd(startBuild("ownership-own"));
        assertThat(build.getString("status")).isEqualTo("succeeded");
        String digest = build.getString("digest");
        UUID succeeded = succeededEventOf(build.getString("id"));

        report("team/own", "1", digest, UUID.randomUUID()); // the registry's notification of the same push
        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker("team/own", digest);
        assertThat(pushes).hasSize(1);
        ConsumerRecord<String, String> pushed = pushes.get(0);
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_type")).isEqualTo(EventTypes.IMAGE_PUSHED);
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_source")).isEqualTo("/cascade/build-service");
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_pipelineid")).isEqualTo(build.getString("pipelineId"));
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isEqualTo(succeeded.toString());
        assertThat(pushed.key()).isEqualTo(reg + "/team/own");
        assertThat(pushed.value()).contains("\"sender\":\"build\"").contains("\"deliveryId\":\"" + build.getString("id") + "\"")
                .contains("\"image\":\"" + reg + "/team/own:1\"").contains("\"tag\":\"1\"");
    }

    @Test
    void aReportOfAnImageNobodyBuildsIsAPushFromOutsideRootedUnderTheReportsIdAndPublishedOnce() throws Exception {
        String digest = registry.push("vendor/base", "12");
        UUID first = UUID.randomUUID();
        report("vendor/base", "12", digest, first);
        report("vendor/base", "12", digest, UUID.randomUUID()); // another sender, or the registry again: the same push

        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker("vendor/base", digest);
        assertThat(pushes).hasSize(1);
        ConsumerRecord<String, String> pushed = pushes.get(0);
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_id")).isEqualTo(first.toString());
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_pipelineid")).isEqualTo(first.toString());
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isEqualTo(first.toString());
        assertThat(pushed.value()).contains("\"sender\":\"distribution\"").contains("\"deliveryId\":\"delivery-" + first + "\"");
    }

    @Test
    void aReportOfAnotherDigestWhileABuildOfTheTagRunsIsHeldAndIsStaleOnceTheBuildHasPushedOverIt() throws Exception {
        String repo = git.create("ownership-slow");
        git.commit("ownership-slow", Map.of("Dockerfile", "FROM " + reg + "/tools/busybox:1\nRUN sleep 8\nCOPY a /a\n", "a", "a"), "slow");
        createConfig("ownership-slow", repo, reg + "/team/slow:1");
        String id = startBuild("ownership-slow");
        await().atMost(Duration.ofSeconds(60)).until(() -> "started".equals(given().get("/api/builds/" + id).then().extract().path("status")));

        // someone pushes the tag while the build runs; the build's push comes after and wins the tag
        String other = registry.push("team/slow", "1");
        UUID reportId = UUID.randomUUID();
        report("team/slow", "1", other, reportId);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(reportId));

        JsonPath build = awaitEnd(id);
        assertThat(build.getString("status")).isEqualTo("succeeded");
        assertThat(registry.digest("team/slow", "1")).isEqualTo(build.getString("digest"));
        // the registry points the tag at the build's image now: the report is stale, and that image is published already
        await().atMost(Duration.ofSeconds(30)).until(() -> !held(reportId) && !checking(reportId));
        assertThat(imagePushesUpToMarker("team/slow", other)).isEmpty();
        List<ConsumerRecord<String, String>> own = imagePushesUpToMarker("team/slow", build.getString("digest"));
        assertThat(own).hasSize(1);
        assertThat(own.get(0).value()).contains("\"sender\":\"build\"");
        assertThat(given().get("/api/image-reports/refused").then().extract().jsonPath().getList("eventId", String.class))
                .doesNotContain(reportId.toString());
    }

    @Test
    void aReportHeldForABuildThatPushedSomethingElseIsPublishedInTheBuildsPipelineOnceTheRegistryConfirmsIt() throws Throwable {
        // a build of the tag running on another instance, and a push of the tag from outside that its registry still holds
        String repo = git.create("ownership-other");
        git.commit("ownership-other", Map.of("Dockerfile", "FROM scratch\nCOPY a /a\n", "a", "a"), "one");
        createConfig("ownership-other", repo, reg + "/team/other:1");
        UUID buildId = UUID.randomUUID();
        UUID pipeline = UUID.randomUUID();
        String image = reg + "/team/other:1";
        startedElsewhere(buildId, "ownership-other", image, pipeline);
        String outside = registry.push("team/other", "1");
        UUID reportId = UUID.randomUUID();
        report("team/other", "1", outside, reportId);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(reportId));

        // the build ends with a digest of its own (it did not reach the registry's tag): the report is not its push
        String builds = digest();
        UUID ended = UUID.randomUUID();
        endBuild(buildId, builds, image, new Causation(pipeline, ended));

        await().atMost(Duration.ofSeconds(30)).until(() -> !held(reportId) && !checking(reportId));
        List<ConsumerRecord<String, String>> reported = imagePushesUpToMarker("team/other", outside);
        assertThat(reported).hasSize(1);
        assertThat(CloudEventRecords.header(reported.get(0).headers(), "ce_pipelineid")).isEqualTo(pipeline.toString());
        assertThat(CloudEventRecords.header(reported.get(0).headers(), "ce_causationid")).isEqualTo(ended.toString());
        assertThat(reported.get(0).value()).contains("\"sender\":\"distribution\"");
    }

    @Test
    void aReportHeldForABuildThatFailsIsPublishedInTheBuildsPipelineCausedByItsFailure() throws Exception {
        String repo = git.create("ownership-failing");
        git.commit("ownership-failing", Map.of("Dockerfile", "FROM " + reg + "/tools/busybox:1\nRUN sleep 8\nCOPY missing.txt /x\n"),
                "failing");
        createConfig("ownership-failing", repo, reg + "/team/failing:1");
        String id = startBuild("ownership-failing");
        await().atMost(Duration.ofSeconds(60)).until(() -> "started".equals(given().get("/api/builds/" + id).then().extract().path("status")));

        String reported = registry.push("team/failing", "1");
        UUID reportId = UUID.randomUUID();
        report("team/failing", "1", reported, reportId);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(reportId));

        JsonPath build = awaitEnd(id);
        assertThat(build.getString("status")).isEqualTo("failed");
        UUID failed = eventOf(id, "cascade.build.failed");
        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker("team/failing", reported);
        assertThat(pushes).hasSize(1);
        assertThat(CloudEventRecords.header(pushes.get(0).headers(), "ce_pipelineid")).isEqualTo(build.getString("pipelineId"));
        assertThat(CloudEventRecords.header(pushes.get(0).headers(), "ce_causationid")).isEqualTo(failed.toString());
        assertThat(held(reportId)).isFalse();
    }

    @Test
    void aReportHeldForARunningBuildIsItsOwnPushWhenTheBuildEndsWithThatDigest() throws Throwable {
        // a build of the tag running on another instance (its row as that instance's claim leaves it), and the registry's
        // report of its push
        String repo = git.create("ownership-held");
        git.commit("ownership-held", Map.of("Dockerfile", "FROM scratch\nCOPY a /a\n", "a", "a"), "one");
        createConfig("ownership-held", repo, reg + "/team/held:1");
        UUID buildId = UUID.randomUUID();
        UUID pipeline = UUID.randomUUID();
        String image = reg + "/team/held:1";
        startedElsewhere(buildId, "ownership-held", image, pipeline);
        String digest = digest();
        UUID reportId = UUID.randomUUID();
        report("team/held", "1", digest, reportId);
        await().atMost(Duration.ofSeconds(30)).until(() -> held(reportId));

        // the build ends with that digest, as the build's outcome records it: its own image goes out, the report is settled
        UUID ended = UUID.randomUUID();
        endBuild(buildId, digest, image, new Causation(pipeline, ended));

        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker("team/held", digest);
        assertThat(pushes).hasSize(1);
        assertThat(pushes.get(0).value()).contains("\"sender\":\"build\"").contains("\"deliveryId\":\"" + buildId + "\"");
        assertThat(CloudEventRecords.header(pushes.get(0).headers(), "ce_pipelineid")).isEqualTo(pipeline.toString());
        assertThat(CloudEventRecords.header(pushes.get(0).headers(), "ce_causationid")).isEqualTo(ended.toString());
        assertThat(held(reportId)).isFalse();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A build of {@code config} started by another instance, its row as that instance's claim leaves it. */
    private static void startedElsewhere(UUID buildId, String config, String image, UUID pipeline) throws Throwable {
        sql("INSERT INTO build (id, config, number, status, image, pipeline_id, causation_id, attempt, created_at, started_at, "
                + "lease_owner, lease_until) VALUES ('" + buildId + "', '" + config + "', 1, 'STARTED', '" + image + "', '" + pipeline + "', '"
                + pipeline + "', 1, now(), now(), 'another-instance', now() + interval '1 hour')");
    }

    /** The build succeeded with {@code digest}, recorded as the build's outcome records it. */
    private void endBuild(UUID buildId, String digest, String image, Causation causation) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("UPDATE build SET status = 'SUCCEEDED', digest = ?2, finished_at = now() WHERE id = ?1")
                        .setParameter(1, buildId).setParameter(2, digest).executeUpdate())
                .chain(() -> imagePushes.buildEnded(buildId, BuildStatus.SUCCEEDED, image, digest, causation))));
    }

    private static void createConfig(String name, String repository, String output) {
        given().contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repository, output))
                .post("/api/build-configs").then().statusCode(201);
    }

    private static String startBuild(String config) {
        return given().contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds").then().statusCode(202)
                .extract().path("id");
    }

    private static JsonPath awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/builds/" + id).then().extract().jsonPath(),
                b -> List.of("succeeded", "failed", "cancelled").contains(b.getString("status")));
    }

    /** The id of the {@code cascade.build.succeeded} event of a build. */
    private static UUID succeededEventOf(String buildId) {
        return eventOf(buildId, "cascade.build.succeeded");
    }

    /** The id of the event of type {@code type} of a build. */
    private static UUID eventOf(String buildId, String type) {
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.BUILDS)) {
            return await().atMost(Duration.ofSeconds(30)).until(() -> task.getRecords().stream()
                    .filter(r -> type.equals(CloudEventRecords.header(r.headers(), "ce_type"))
                            && r.value().contains("\"buildId\":\"" + buildId + "\""))
                    .map(r -> UUID.fromString(CloudEventRecords.header(r.headers(), "ce_id")))
                    .findFirst().orElse(null), java.util.Objects::nonNull);
        }
    }

    /** A registry's report of {@code repository:tag} at {@code digest}, as trigger-service forwards it: a root event. */
    private static void report(String repository, String tag, String digest, UUID id) {
        RegistryReports.report(reg, repository, tag, digest, id);
    }

    /**
     * Every image push of {@code repository} at {@code digest} published so far. A report of a marker tag of the same
     * repository (a push from outside) goes last: it has the same key, so anything published before it is on the topic
     * before it.
     */
    private static List<ConsumerRecord<String, String>> imagePushesUpToMarker(String repository, String digest) throws IOException {
        String marker = registry.push(repository, "marker");
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGES)) {
            report(repository, "marker", marker, UUID.randomUUID());
            await().atMost(Duration.ofSeconds(45)).until(() -> task.getRecords().stream().anyMatch(r -> r.value().contains(marker)));
            return task.getRecords().stream()
                    .filter(r -> (reg + "/" + repository).equals(r.key()) && r.value().contains("\"digest\":\"" + digest + "\""))
                    .toList();
        }
    }

    private static boolean held(UUID reportId) {
        return count("held_image_report", reportId) > 0;
    }

    /** Whether the report waits for its registry's word. */
    private static boolean checking(UUID reportId) {
        return count("image_report_check", reportId) > 0;
    }

    private static long count(String table, UUID reportId) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                    .chain(s -> s.createNativeQuery("SELECT count(*) FROM " + table + " WHERE event_id = ?1", Long.class)
                            .setParameter(1, reportId).getSingleResult())));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String statement) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery(statement).executeUpdate())));
    }

    private static String digest() {
        return RegistryReports.digest();
    }
}
