package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Senders that report no digest (Docker Hub, Quay): the digest is asked of the registry itself. A real
 * registry on the port the test configuration names stands in for docker.io and quay.io.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class DigestResolutionTests {

    static LocalRegistry registry;
    static Buildah buildah;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("digests");
        registry = LocalRegistry.start(work.resolve("registry"), null, null, 25397);
        buildah = new Buildah(work.resolve("buildah"));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    String push(String repository, String tag) throws Exception {
        Path ctx = Files.createDirectories(work.resolve(repository.replace('/', '-') + "-" + tag));
        Files.writeString(ctx.resolve("f"), repository + ":" + tag);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
        return buildah.buildAndPush(ctx, registry.host() + "/" + repository + ":" + tag);
    }

    ConsumerRecord<String, String> published(String pipelineId) {
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGE_REPORTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> task.getRecords().stream()
                    .anyMatch(r -> pipelineId.equals(CloudEventRecords.header(r.headers(), "ce_id"))));
            return task.getRecords().stream().filter(r -> pipelineId.equals(CloudEventRecords.header(r.headers(), "ce_id"))).findFirst().orElseThrow();
        }
    }

    static WebhookDelivery quay(String repository, String... tags) {
        return WebhookDelivery.unsigned("quay", WebhookPayloads.utf8(WebhookPayloads.quayPush(repository, tags)));
    }

    @Test
    void dockerHubPushesGetTheDigestTheRegistryReports() throws Exception {
        String digest = push("svendowideit/testhook", "latest");
        String pipeline = WebhookDelivery.unsigned("dockerhub", WebhookPayloads.bytes("docker/docker_hub_build_notice.json")).post()
                .statusCode(202).body("status", equalTo("ACCEPTED"))
                .extract().path("pipelineId");
        ConsumerRecord<String, String> event = published(pipeline);
        assertThat(event.key()).isEqualTo("docker.io/svendowideit/testhook");
        assertThat(event.value()).contains("\"digest\":\"" + digest + "\"").contains("\"tag\":\"latest\"");
    }

    @Test
    void quayPushesGetOneEventPerTagWithItsDigest() throws Exception {
        String one = push("acme/app", "v1");
        String two = push("acme/app", "v2");
        var answer = quay("acme/app", "v1", "v2").post().statusCode(202).extract().jsonPath();
        assertThat(answer.getList("pipelineIds")).hasSize(2);
        assertThat(published(answer.getString("pipelineIds[0]")).value()).contains(one);
        assertThat(published(answer.getString("pipelineIds[1]")).value()).contains(two);
    }

    @Test
    void aTagTheRegistryDoesNotHaveIsRefusedWithoutA5xx() {
        quay("acme/ghost", "v9").post().statusCode(422).contentType("application/problem+json");
    }
}
