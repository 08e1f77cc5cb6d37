package dev.cascade.build;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.LocalRegistry;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;

/** Registries' reports of pushes as trigger-service forwards them ({@code cascade.image.reported}, root events), for build-service's tests. */
public final class RegistryReports {

    private RegistryReports() {
    }

    /** Reports that {@code registry/repository:tag} points at {@code digest}, as the event {@code id} (also its pipeline id). */
    public static void report(String registry, String repository, String tag, String digest, UUID id) {
        String data = """
                {"image":"%s/%s:%s","registry":"%s","repository":"%s","tag":"%s","digest":"%s","sender":"distribution","deliveryId":"delivery-%s"}"""
                .formatted(registry, repository, tag, registry, repository, tag, digest, id);
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            kafka.produce(Serdes.String(), Serdes.String())
                    .fromRecords(CloudEventRecords.event(Topics.IMAGE_REPORTS, registry + "/" + repository, id, EventTypes.IMAGE_REPORTED,
                            data))
                    .awaitCompletion();
        }
    }

    /**
     * Pushes the tag {@code marker} of the repository to the registry from outside, reports it and waits until
     * build-service knows it: the reports of one repository are taken in order, so every report of it sent before has
     * been taken too.
     */
    public static void awaitTaken(LocalRegistry registry, String repository) throws IOException {
        String digest = registry.push(repository, "marker");
        report(registry.host(), repository, "marker", digest, UUID.randomUUID());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/images/" + registry.host() + "/" + repository + ":marker")
                .then().statusCode(200).body("digest", equalTo(digest)));
    }

    /** A digest no image has: a registry that is asked for it has nothing. */
    public static String digest() {
        return "sha256:" + (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }
}
