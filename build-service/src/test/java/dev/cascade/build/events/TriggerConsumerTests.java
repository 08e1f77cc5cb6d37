package dev.cascade.build.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class TriggerConsumerTests {

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    private static String imagePushed(String repository, String tag, String digest) {
        return """
                {"registry":"localhost:5000","repository":"%s","tag":"%s","digest":"%s","sender":"distribution","deliveryId":"d"}"""
                .formatted(repository, tag, digest);
    }

    private void send(org.apache.kafka.clients.producer.ProducerRecord<String, String> record) {
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(record).awaitCompletion();
    }

    private void awaitDigest(String image, String digest) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/images/" + image).then().statusCode(200).body("digest", equalTo(digest)));
    }

    @Test
    void imagePushedEventUpdatesTheKnownDigestWithItsPipeline() {
        UUID id = UUID.randomUUID();
        send(CloudEventRecords.event(Topics.IMAGES, "localhost:5000/base", id, EventTypes.IMAGE_PUSHED,
                imagePushed("base", "1", digest('a'))));

        awaitDigest("localhost:5000/base:1", digest('a'));
        given().get("/api/images/localhost:5000/base:1").then().body("pipelineId", equalTo(id.toString()));
    }

    @Test
    void redeliveredEventIsActedOnOnce() {
        UUID first = UUID.randomUUID();
        var original = CloudEventRecords.event(Topics.IMAGES, "localhost:5000/redelivered", first, EventTypes.IMAGE_PUSHED,
                imagePushed("redelivered", "1", digest('1')));
        send(original);
        awaitDigest("localhost:5000/redelivered:1", digest('1'));
        send(CloudEventRecords.event(Topics.IMAGES, "localhost:5000/redelivered", UUID.randomUUID(), EventTypes.IMAGE_PUSHED,
                imagePushed("redelivered", "1", digest('2'))));
        awaitDigest("localhost:5000/redelivered:1", digest('2'));

        // the first event again, then a marker on the same key (same partition, so processed after it)
        send(original);
        send(CloudEventRecords.event(Topics.IMAGES, "localhost:5000/redelivered", UUID.randomUUID(), EventTypes.IMAGE_PUSHED,
                imagePushed("redelivered", "marker", digest('3'))));
        awaitDigest("localhost:5000/redelivered:marker", digest('3'));

        // acting on the redelivery would have set the digest back to the first one
        given().get("/api/images/localhost:5000/redelivered:1").then().body("digest", equalTo(digest('2')));
    }

    @Test
    void unprocessableMessageGoesToTheDeadLetterTopicWithItsReasonAndDoesNotBlockThePartition() {
        String key = "localhost:5000/poison";
        UUID poisonId = UUID.randomUUID();
        send(CloudEventRecords.event(Topics.IMAGES, key, poisonId, EventTypes.IMAGE_PUSHED, "{not json"));
        send(CloudEventRecords.event(Topics.IMAGES, key, UUID.randomUUID(), EventTypes.IMAGE_PUSHED,
                imagePushed("poison", "ok", digest('c'))));

        awaitDigest("localhost:5000/poison:ok", digest('c'));

        ConsumerRecord<String, String> dead = kafka.consume(Serdes.String(), Serdes.String())
                .fromTopics(Topics.deadLetter(Topics.IMAGES))
                .awaitNextRecords(1, Duration.ofSeconds(30))
                .getRecords().stream()
                .filter(r -> poisonId.toString().equals(CloudEventRecords.header(r.headers(), "ce_id")))
                .findFirst().orElseThrow();
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.value()).isEqualTo("{not json");
        assertThat(CloudEventRecords.header(dead.headers(), "dead-letter-reason")).contains("not a valid ImagePushed");
    }

    @Test
    void sourcePushIsRecordedForItsRepository() {
        UUID id = UUID.randomUUID();
        send(CloudEventRecords.event(Topics.SOURCE, "https://github.com/o/r", id, EventTypes.SOURCE_PUSHED, """
                {"repository":"https://github.com/o/r","refType":"BRANCH","ref":"main","before":"%s","after":"%s",
                 "changedPaths":["Dockerfile"],"pusher":"alice","sender":"github","deliveryId":"d-1"}"""
                .formatted("0".repeat(40), "a".repeat(40))));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().queryParam("repository", "git@github.com:o/r.git").get("/api/source-pushes")
                        .then().statusCode(200)
                        .body("find { it.eventId == '%s' }.after".formatted(id), equalTo("a".repeat(40))));
    }
}
