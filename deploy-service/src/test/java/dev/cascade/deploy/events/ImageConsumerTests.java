package dev.cascade.deploy.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;

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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@io.quarkus.test.kubernetes.client.WithKubernetesTestServer(crud = true)
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "deploy"))
class ImageConsumerTests {

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    private static ProducerRecord<String, String> pushed(UUID id, String tag, char digest) {
        return CloudEventRecords.event(Topics.IMAGES, "localhost:5000/web", id, EventTypes.IMAGE_PUSHED, """
                {"registry":"localhost:5000","repository":"web","tag":"%s","digest":"sha256:%s","sender":"distribution"}"""
                .formatted(tag, String.valueOf(digest).repeat(64)));
    }

    @Test
    void eachImagePushIsTakenInOnceEvenWhenRedelivered() {
        UUID id = UUID.randomUUID();
        ProducerRecord<String, String> event = pushed(id, "1", 'a');
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(event, event, event).awaitCompletion();
        // a later event on the same key is processed after the three copies
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(pushed(UUID.randomUUID(), "marker", 'b')).awaitCompletion();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().queryParam("image", "localhost:5000/web:marker").get("/api/image-pushes").then().statusCode(200).body("$", hasSize(1)));
        given().queryParam("image", "localhost:5000/web:1").get("/api/image-pushes").then()
                .body("$", hasSize(1))
                .body("[0].pipelineId", org.hamcrest.Matchers.equalTo(id.toString()));
    }

    @Test
    void messageWithoutCloudEventHeadersIsDeadLettered() {
        ProducerRecord<String, String> plain = new ProducerRecord<>(Topics.IMAGES, "localhost:5000/web", "{\"tag\":\"x\"}");
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(plain).awaitCompletion();

        var dead = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.deadLetter(Topics.IMAGES))
                .awaitNextRecords(1, Duration.ofSeconds(30)).getRecords();
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).isEqualTo("{\"tag\":\"x\"}");
            assertThat(CloudEventRecords.header(r.headers(), "dead-letter-reason")).contains("not a CloudEvent");
        });
    }
}
