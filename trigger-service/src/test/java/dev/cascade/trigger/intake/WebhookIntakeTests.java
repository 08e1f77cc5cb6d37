package dev.cascade.trigger.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

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
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class WebhookIntakeTests {

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    /** A GitHub delivery with a new delivery id, signed with {@code secret}. */
    static WebhookDelivery github(String event, byte[] body, String secret) {
        return WebhookDelivery.github(event, UUID.randomUUID().toString(), secret, body);
    }

    /** The record on {@code topic} whose CloudEvents id is {@code eventId}, waiting for it to arrive. */
    ConsumerRecord<String, String> published(String topic, String eventId) {
        return recordsUntil(topic, eventId).stream()
                .filter(r -> eventId.equals(CloudEventRecords.header(r.headers(), "ce_id")))
                .findFirst().orElseThrow();
    }

    /** Everything on {@code topic} from the start up to (at least) the event with id {@code eventId}. */
    List<ConsumerRecord<String, String>> recordsUntil(String topic, String eventId) {
        try (ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(topic)) {
            await().atMost(Duration.ofSeconds(45)).until(() -> task.getRecords().stream()
                    .anyMatch(r -> eventId.equals(CloudEventRecords.header(r.headers(), "ce_id"))));
            return task.getRecords();
        }
    }

    static int deliveriesStored() {
        return given().queryParam("limit", 1000).get("/api/deliveries").then().statusCode(200).extract().jsonPath().getList("$").size();
    }

    @Test
    void signedGitHubPushIsStoredThenPublishedAsOneSourceEventWithItsPipelineId() {
        ValidatableResponse answer = github("push", WebhookPayloads.bytes("github/push.json"), TestSecrets.GITHUB).post()
                .statusCode(202)
                .body("status", equalTo("ACCEPTED"))
                .body("deliveryId", notNullValue())
                .body("pipelineId", notNullValue());
        String pipelineId = answer.extract().path("pipelineId");
        String deliveryId = answer.extract().path("deliveryId");

        ConsumerRecord<String, String> event = published(Topics.SOURCE, pipelineId);
        assertThat(event.key()).isEqualTo("https://github.com/binkkatal/sample_app");
        assertThat(CloudEventRecords.header(event.headers(), "ce_type")).isEqualTo("cascade.source.pushed");
        assertThat(CloudEventRecords.header(event.headers(), "ce_pipelineid")).isEqualTo(pipelineId);
        assertThat(event.value())
                .contains("\"ref\":\"master\"")
                .contains("\"after\":\"fd489864e7642b48eaad6e3f155c10e46810ec72\"")
                .contains("\"deliveryId\":\"" + deliveryId + "\"");

        given().get("/api/deliveries/" + deliveryId).then().statusCode(200)
                .body("status", equalTo("accepted"))
                .body("sender", equalTo("github"))
                .body("subject", equalTo("https://github.com/binkkatal/sample_app"))
                .body("pipelineIds", hasItem(pipelineId));
    }

    @Test
    void redeliveredWebhookIsAcknowledgedOnceWithTheSamePipeline() {
        byte[] body = WebhookPayloads.bytes("github/push-real.json");
        String delivery = UUID.randomUUID().toString();
        WebhookDelivery push = WebhookDelivery.github("push", delivery, TestSecrets.GITHUB, body);
        String firstPipeline = null;
        for (int i = 0; i < 4; i++) {
            ValidatableResponse r = push.post();
            if (i == 0) {
                firstPipeline = r.statusCode(202).extract().path("pipelineId");
            } else {
                r.statusCode(200).body("status", equalTo("DUPLICATE")).body("pipelineId", equalTo(firstPipeline));
            }
        }
        // a later push to the same repository (same key, same partition) is published after anything the copies caused
        byte[] later = new String(body, StandardCharsets.UTF_8).replace("199eddf46df50de8d02e99bf1c5fdb4101338224",
                "1111111111111111111111111111111111111111").getBytes(StandardCharsets.UTF_8);
        String marker = github("push", later, TestSecrets.GITHUB).post().statusCode(202)
                .extract().path("pipelineId");
        long published = recordsUntil(Topics.SOURCE, marker).stream()
                .filter(r -> r.value().contains("\"after\":\"199eddf46df50de8d02e99bf1c5fdb4101338224\""))
                .count();
        assertThat(published).isEqualTo(1);
        given().queryParam("status", "duplicate").queryParam("sender", "github").get("/api/deliveries").then()
                .statusCode(200).body("findAll { it.pipelineId == '%s' }.size()".formatted(firstPipeline), equalTo(3));
    }

    @Test
    void pingIsAnsweredAndStartsNothing() {
        github("ping", WebhookPayloads.bytes("github/ping.json"), TestSecrets.GITHUB).post()
                .statusCode(202)
                .body("status", equalTo("IGNORED"))
                .body("reason", notNullValue())
                .body("pipelineId", nullValue());
    }

    @Test
    void badSignatureIsRefusedAndOnlyARejectionIsRecorded() {
        String answer = github("push", WebhookPayloads.bytes("github/push.json"), "not-the-secret").post()
                .statusCode(401)
                .contentType("application/problem+json")
                .body("status", equalTo(401))
                .body("detail", org.hamcrest.Matchers.containsString("signature does not match"))
                .extract().asString();
        assertThat(answer).doesNotContain(TestSecrets.GITHUB).doesNotContain("not-the-secret");

        given().queryParam("status", "rejected").get("/api/deliveries").then().statusCode(200)
                .body("[0].status", equalTo("rejected"))
                .body("[0].pipelineId", nullValue());
    }

    @Test
    void missingSignatureIsRefused() {
        given().contentType("application/json").header("X-GitHub-Event", "push").header("X-GitHub-Delivery", "x")
                .body(WebhookPayloads.bytes("github/push.json")).post("/webhooks/git/github").then()
                .statusCode(401).body("detail", org.hamcrest.Matchers.containsString("X-Hub-Signature-256 is missing"));
    }

    @Test
    void malformedBodyIsA400ProblemAndChangesNothing() {
        int before = deliveriesStored();
        byte[] truncated = java.util.Arrays.copyOf(WebhookPayloads.bytes("github/push.json"), 200);
        github("push", truncated, TestSecrets.GITHUB).post()
                .statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Bad Request"))
                .body("detail", notNullValue());
        assertThat(deliveriesStored()).isEqualTo(before);
    }

    @Test
    void oversizedBodyIsA413() {
        byte[] big = new byte[70 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        github("push", big, TestSecrets.GITHUB).post().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void wrongContentTypeIsA415() {
        given().contentType("text/plain").body("hello").post("/webhooks/git/github").then()
                .statusCode(415).contentType("application/problem+json");
    }

    @Test
    void unknownSenderIsA404() {
        given().contentType("application/json").body("{}").post("/webhooks/git/sourceforge").then().statusCode(404);
        given().contentType("application/json").body("{}").post("/webhooks/registry/github").then().statusCode(404);
    }

    @Test
    void skipCiCommitIsStoredAsIgnoredWithTheReason() {
        String body = WebhookPayloads.text("github/push.json")
                .replace("\"message\": \"test a push event\"", "\"message\": \"docs only [skip ci]\"");
        github("push", body.getBytes(StandardCharsets.UTF_8), TestSecrets.GITHUB).post()
                .statusCode(202).body("status", equalTo("IGNORED")).body("reason", org.hamcrest.Matchers.containsString("skip ci"));
    }

    @Test
    void gitlabPushWithItsTokenIsAccepted() {
        WebhookDelivery.gitlab(TestSecrets.GITLAB, WebhookPayloads.bytes("gitlab/push-event.json"))
                .withHeader("Idempotency-Key", UUID.randomUUID().toString()).post()
                .statusCode(202).body("status", equalTo("ACCEPTED"));
        WebhookDelivery.gitlab("wrong", WebhookPayloads.bytes("gitlab/push-event.json")).post().statusCode(401);
    }

    @Test
    void distributionManifestPushBecomesOneImageEventAndBlobPushesAreIgnored() {
        WebhookDelivery manifest = WebhookDelivery.distribution(TestSecrets.DISTRIBUTION,
                WebhookPayloads.bytes("distribution/push-manifest-tagged.json"));
        String pipeline = manifest.post()
                .statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("pipelineId");
        ConsumerRecord<String, String> event = published(Topics.IMAGE_REPORTS, pipeline);
        assertThat(event.key()).isEqualTo("localhost:5000/apps/hello");
        assertThat(event.value()).contains("\"tag\":\"1\"")
                .contains("sha256:e83f76d2aac7cc72a6494758244b4f8333a3a30a3af6fef355d4f3a4bb73360e");

        // the registry retries the same envelope: acknowledged, nothing new
        manifest.post()
                .statusCode(200).body("pipelineId", equalTo(pipeline));

        WebhookDelivery.distribution(TestSecrets.DISTRIBUTION, WebhookPayloads.bytes("distribution/push-blob.json")).post()
                .statusCode(202).body("status", equalTo("IGNORED"));
    }

    @Test
    void redeliverThroughTheApiStartsANewPipeline() {
        String first = github("push", WebhookPayloads.bytes("github/push-tag.json"), TestSecrets.GITHUB).post()
                .statusCode(202).extract().path("deliveryId");
        String firstPipeline = given().get("/api/deliveries/" + first).then().extract().path("pipelineId");

        String again = given().post("/api/deliveries/" + first + "/redeliver").then()
                .statusCode(202).body("status", equalTo("ACCEPTED"))
                .body("pipelineId", not(equalTo(firstPipeline)))
                .extract().path("pipelineId");
        assertThat(published(Topics.SOURCE, again).value()).contains("\"refType\":\"TAG\"").contains("\"ref\":\"v0.0.1\"");
    }

    @Test
    void perRepositorySecretsRotateAndAreNeverShown() {
        String repo = "https://github.com/binkkatal/sample_app";
        String old = "per-repo-secret-old-0123456789";
        String fresh = "per-repo-secret-new-0123456789";
        given().contentType("application/json").body("{\"sender\":\"github\",\"subject\":\"git@github.com:binkkatal/sample_app.git\",\"secret\":\"" + old + "\"}")
                .post("/api/webhook-secrets").then().statusCode(201).body("subject", equalTo(repo));
        String added = given().contentType("application/json").body("{\"sender\":\"github\",\"subject\":\"" + repo + "\",\"secret\":\"" + fresh + "\"}")
                .post("/api/webhook-secrets").then().statusCode(201).extract().path("id");
        given().contentType("application/json").body("{\"sender\":\"github\",\"subject\":\"" + repo + "\",\"secret\":\"third-secret-0123456789\"}")
                .post("/api/webhook-secrets").then().statusCode(409);
        String listing = given().get("/api/webhook-secrets").then().statusCode(200).extract().asString();
        assertThat(listing).doesNotContain(old).doesNotContain(fresh);

        byte[] body = WebhookPayloads.bytes("github/push.json");
        github("push", body, old).post().statusCode(202);
        github("push", body, fresh).post().statusCode(202);
        // the provider-wide secret no longer opens a repository that has its own
        github("push", body, TestSecrets.GITHUB).post().statusCode(401);

        given().delete("/api/webhook-secrets/" + added).then().statusCode(204);
        github("push", body, fresh).post().statusCode(401);
        given().get("/api/webhook-secrets").then().body("findAll { it.subject == '%s' }.size()".formatted(repo), equalTo(1));
        String remaining = given().get("/api/webhook-secrets").then().extract().path("find { it.subject == '%s' }.id".formatted(repo));
        given().delete("/api/webhook-secrets/" + remaining).then().statusCode(204);
    }

    @Test
    void webhooksAreAcceptedWhileTheBrokerIsDownAndPublishedWhenItReturns() throws Exception {
        CascadeInfraResource.infra().stopKafka();
        String pipeline;
        try {
            pipeline = github("push", WebhookPayloads.bytes("github/push.json"), TestSecrets.GITHUB).post()
                    .statusCode(202).extract().path("pipelineId");
        } finally {
            CascadeInfraResource.infra().startKafka();
        }
        assertThat(published(Topics.SOURCE, pipeline).key()).isEqualTo("https://github.com/binkkatal/sample_app");
    }
}
