package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** A real registry, configured to notify trigger-service, receives a real buildah push. */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class RegistryNotificationTests {

    @TestHTTPResource("/webhooks/registry/distribution")
    URL webhook;

    @Test
    void aRealPushToARealRegistryIsReportedExactlyOnceForItsTagAndDigest() throws Exception {
        Path work = Files.createTempDirectory("registry-it");
        try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"), webhook.toString(), "distribution-test-token-0123456789");
             KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> images = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGE_REPORTS)) {
            Path context = Files.createDirectories(work.resolve("context"));
            Files.writeString(context.resolve("hello.txt"), "hello from " + work);
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
            Buildah buildah = new Buildah(work.resolve("buildah"));
            String image = registry.host() + "/it/app:1";
            String digest = buildah.buildAndPush(context, image);

            // the same manifest pushed again, then a marker tag: the registry notifies for each
            buildah.push(image);
            buildah.run("tag", image, registry.host() + "/it/app:marker");
            buildah.push(registry.host() + "/it/app:marker");

            String key = registry.host() + "/it/app";
            await().atMost(Duration.ofSeconds(60)).until(() -> images.getRecords().stream()
                    .anyMatch(r -> key.equals(r.key()) && r.value().contains("\"tag\":\"marker\"")));
            List<ConsumerRecord<String, String>> forTag = images.getRecords().stream()
                    .filter(r -> key.equals(r.key()) && r.value().contains("\"tag\":\"1\""))
                    .toList();
            assertThat(forTag).hasSize(1);
            ConsumerRecord<String, String> event = forTag.get(0);
            assertThat(event.value()).contains("\"digest\":\"" + digest + "\"").contains("\"image\":\"" + image + "\"");
            assertThat(CloudEventRecords.header(event.headers(), "ce_type")).isEqualTo("cascade.image.reported");
        }
    }
}
