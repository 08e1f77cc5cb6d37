package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class OutboxPublishingTests {

    @Inject
    Outbox outbox;

    @Test
    void eventsWrittenToTheOutboxArePublishedAsBinaryCloudEventsWithTheContractKey() throws Throwable {
        UUID id = UUID.randomUUID();
        var push = new SourcePushed("https://github.com/o/outbox-test", SourcePushed.RefType.BRANCH, "main", "0".repeat(40),
                "b".repeat(40), List.of("Dockerfile"), "alice", "github", "delivery-1");

        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() ->
                outbox.add(id, push, Causation.root(id))));

        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            ConsumerRecord<String, String> record = kafka.consume(Serdes.String(), Serdes.String())
                    .fromTopics(Topics.SOURCE)
                    .awaitNextRecords(1, Duration.ofSeconds(30))
                    .getRecords().stream()
                    .filter(r -> id.toString().equals(CloudEventRecords.header(r.headers(), "ce_id")))
                    .findFirst().orElseThrow();

            assertThat(record.key()).isEqualTo("https://github.com/o/outbox-test");
            assertThat(CloudEventRecords.header(record.headers(), "ce_specversion")).isEqualTo("1.0");
            assertThat(CloudEventRecords.header(record.headers(), "ce_type")).isEqualTo("cascade.source.pushed");
            assertThat(CloudEventRecords.header(record.headers(), "ce_source")).isEqualTo("/cascade/trigger-service");
            assertThat(CloudEventRecords.header(record.headers(), "ce_pipelineid")).isEqualTo(id.toString());
            assertThat(CloudEventRecords.header(record.headers(), "ce_causationid")).isEqualTo(id.toString());
            assertThat(CloudEventRecords.header(record.headers(), "content-type")).isEqualTo("application/json");
            assertThat(record.value()).contains("\"after\":\"" + "b".repeat(40) + "\"");
        }
    }
}
