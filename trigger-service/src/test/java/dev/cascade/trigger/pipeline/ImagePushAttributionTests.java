package dev.cascade.trigger.pipeline;

import static dev.cascade.trigger.pipeline.PipelineTrees.awaitTree;
import static dev.cascade.trigger.pipeline.PipelineTrees.childOfKind;
import static dev.cascade.trigger.pipeline.PipelineTrees.children;
import static dev.cascade.trigger.pipeline.PipelineTrees.commit;
import static dev.cascade.trigger.pipeline.PipelineTrees.digest;
import static dev.cascade.trigger.pipeline.PipelineTrees.fields;
import static dev.cascade.trigger.pipeline.PipelineTrees.find;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.TestSecrets;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Image pushes made by builds stay in the build's pipeline, and each tag and digest is published once, whether a
 * registry webhook or the build's own success reports it first.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class ImagePushAttributionTests {

    static final String REGISTRY = "localhost:5000";

    @Inject
    ObjectMapper json;

    ContractEvents events;
    KafkaCompanion kafka;
    String u;
    Instant t0;

    @BeforeEach
    void connect() {
        events = new ContractEvents(json);
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
        u = UUID.randomUUID().toString().substring(0, 8);
        t0 = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);
    }

    @AfterEach
    void disconnect() {
        events.close();
        kafka.close();
    }

    @Test
    void aRegistryWebhookForTheImageOfARunningBuildJoinsThatBuildsPipeline() {
        String repo = "team-" + u + "/svc";
        String image = REGISTRY + "/" + repo + ":1";
        String digest = digest();
        String commit = commit();
        String buildId = UUID.randomUUID().toString();
        UUID p = events.rootSource(new SourcePushed("https://github.com/cascade-test/svc-" + u, SourcePushed.RefType.BRANCH, "main",
                "0".repeat(40), commit, null, "carol", "github", "delivery-" + u), t0);
        events.build(p, p, new BuildEvent(buildId, "svc-" + u, BuildStatus.QUEUED, commit, image, null, null, "push", t0.plusSeconds(1), 1, List.of()));
        UUID started = events.build(p, p, new BuildEvent(buildId, "svc-" + u, BuildStatus.STARTED, commit, image, null, null, "push",
                t0.plusSeconds(2), 1, List.of()));
        awaitTree(p, t -> "started".equals(find(t, buildId) == null ? null : find(t, buildId).get("status")));

        // the build pushes; the registry notifies trigger-service before the build reports its success
        ValidatableResponse answer = notifyPush(repo, "1", digest).statusCode(202).body("status", equalTo("ACCEPTED"))
                .body("pipelineId", equalTo(p.toString()));
        String deliveryId = answer.extract().path("deliveryId");
        given().get("/api/deliveries/" + deliveryId).then().statusCode(200).body("pipelineIds", hasItem(p.toString()));

        UUID succeeded = events.build(p, p, new BuildEvent(buildId, "svc-" + u, BuildStatus.SUCCEEDED, commit, image, digest, null, "push",
                t0.plusSeconds(4), 1, List.of()));
        JsonPath tree = awaitTree(p, t -> "succeeded".equals(t.getString("status")) && "succeeded".equals(find(t, buildId).get("status")));

        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker(repo, image, digest);
        assertThat(pushes).hasSize(1);
        ConsumerRecord<String, String> pushed = pushes.get(0);
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_pipelineid")).isEqualTo(p.toString());
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isEqualTo(started.toString());
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isNotEqualTo(succeeded.toString());
        assertThat(pushed.value()).contains("\"sender\":\"distribution\"");

        List<java.util.Map<String, Object>> images = children(find(tree, buildId));
        assertThat(images).hasSize(1);
        assertThat(images.get(0)).containsEntry("id", CloudEventRecords.header(pushed.headers(), "ce_id"));
        assertThat(fields(images.get(0))).containsEntry("sender", "distribution").containsEntry("digest", digest);
    }

    @Test
    void aSucceededBuildReportsItsOwnImageOnceAndALaterWebhookForItPublishesNothing() {
        String repo = "team-" + u + "/job";
        String image = REGISTRY + "/" + repo + ":1";
        String digest = digest();
        String commit = commit();
        String buildId = UUID.randomUUID().toString();
        UUID p = events.rootSource(new SourcePushed("https://github.com/cascade-test/job-" + u, SourcePushed.RefType.BRANCH, "main",
                "0".repeat(40), commit, null, "dave", "github", "delivery-" + u), t0);
        events.build(p, p, new BuildEvent(buildId, "job-" + u, BuildStatus.QUEUED, commit, image, null, null, "push", t0.plusSeconds(1), 1, List.of()));
        events.build(p, p, new BuildEvent(buildId, "job-" + u, BuildStatus.STARTED, commit, image, null, null, "push", t0.plusSeconds(2), 1, List.of()));
        UUID succeeded = events.build(p, p, new BuildEvent(buildId, "job-" + u, BuildStatus.SUCCEEDED, commit, image, digest, null, "push",
                t0.plusSeconds(4), 1, List.of()));

        JsonPath tree = awaitTree(p, t -> childOfKind(t, buildId, "image") != null && "succeeded".equals(t.getString("status")));
        assertThat(fields(childOfKind(tree, buildId, "image"))).containsEntry("sender", "build").containsEntry("image", image)
                .containsEntry("digest", digest);

        // the registry's notification comes late (or is retried): the push was reported already
        notifyPush(repo, "1", digest).statusCode(202).body("status", equalTo("IGNORED")).body("pipelineId", nullValue());

        List<ConsumerRecord<String, String>> pushes = imagePushesUpToMarker(repo, image, digest);
        assertThat(pushes).hasSize(1);
        ConsumerRecord<String, String> pushed = pushes.get(0);
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_type")).isEqualTo("cascade.image.pushed");
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_pipelineid")).isEqualTo(p.toString());
        assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isEqualTo(succeeded.toString());
        assertThat(pushed.key()).isEqualTo(REGISTRY + "/" + repo);
        assertThat(pushed.value()).contains("\"sender\":\"build\"").contains("\"deliveryId\":\"" + buildId + "\"")
                .contains("\"registry\":\"" + REGISTRY + "\"").contains("\"repository\":\"" + repo + "\"").contains("\"tag\":\"1\"");
    }

    /** A Distribution notification, as the registry sends it, of a manifest push of {@code repository:tag} at {@code digest}. */
    private ValidatableResponse notifyPush(String repository, String tag, String digest) {
        String body = WebhookPayloads.text("distribution/push-manifest-tagged.json")
                .replace(WebhookPayloads.DISTRIBUTION_EVENT_ID, UUID.randomUUID().toString())
                .replace(WebhookPayloads.DISTRIBUTION_DIGEST, digest)
                .replace("apps/hello", repository)
                .replace("\"tag\": \"1\"", "\"tag\": \"" + tag + "\"");
        return WebhookDelivery.distribution(TestSecrets.DISTRIBUTION, WebhookPayloads.utf8(body)).post();
    }

    /**
     * Every image push of {@code image} at {@code digest} published so far. A marker push of another tag of the same
     * repository is notified last: it has the same key, so anything published before it is on the topic before it.
     */
    private List<ConsumerRecord<String, String>> imagePushesUpToMarker(String repository, String image, String digest) {
        String marker = digest();
        notifyPush(repository, "marker", marker).statusCode(202).body("status", equalTo("ACCEPTED"));
        try (ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGES)) {
            await().atMost(Duration.ofSeconds(45)).until(() -> task.getRecords().stream().anyMatch(r -> r.value().contains(marker)));
            return task.getRecords().stream()
                    .filter(r -> r.value().contains("\"image\":\"" + image + "\"") && r.value().contains(digest))
                    .toList();
        }
    }
}
