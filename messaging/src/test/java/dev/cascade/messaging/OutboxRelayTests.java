package dev.cascade.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.common.events.CloudEventAttributes;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.SourcePushed.RefType;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.DatabaseRows;
import dev.cascade.testsupport.TopicWindow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The outbox and its relay on a real database and broker: events are published as binary-mode CloudEvents under
 * their key, those of one key in the order they were added, and each row is stamped sent once the broker has it.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "messaging"))
class OutboxRelayTests {

    @Inject
    Outbox outbox;

    static SourcePushed push(String repository, int n) {
        return new SourcePushed(repository, RefType.BRANCH, "main", null, "%040x".formatted(n), null, "tester", "generic", null);
    }

    static Outbox.Entry root(SourcePushed event) {
        UUID id = UUID.randomUUID();
        return new Outbox.Entry(id, event, Causation.root(id));
    }

    /** Runs {@code work} in one transaction on a Vert.x context, as a request or a consumer would, and waits for it. */
    static void inTransaction(Supplier<Uni<?>> work) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work::get).replaceWithVoid());
    }

    static String id(ConsumerRecord<String, String> record) {
        return CloudEventRecords.header(record.headers(), "ce_id");
    }

    @Test
    void eventsOfOneKeyArePublishedInTheOrderTheyWereAddedWhetherOneByOneOrInLists() throws Throwable {
        String repository = "https://git.example.com/ordering/" + UUID.randomUUID();
        List<Outbox.Entry> all = IntStream.range(0, 40).mapToObj(n -> root(push(repository, n))).toList();
        try (TopicWindow topic = TopicWindow.openAtEnd(Topics.SOURCE)) {
            inTransaction(() -> outbox.addAll(all.subList(0, 15)));
            for (Outbox.Entry e : all.subList(15, 20)) {
                inTransaction(() -> outbox.add(e.eventId(), e.event(), e.causation()));
            }
            inTransaction(() -> outbox.addAll(all.subList(20, 40)));

            List<String> published = topic.until(all.get(39).eventId().toString()).stream()
                    .filter(r -> repository.equals(r.key()))
                    .map(OutboxRelayTests::id)
                    .toList();
            assertThat(published).containsExactlyElementsOf(all.stream().map(e -> e.eventId().toString()).toList());
        }
    }

    @Test
    void listAddedInOneStatementKeepsItsOrderAcrossKeys() throws Throwable {
        String one = "https://git.example.com/interleaved/one-" + UUID.randomUUID();
        String two = "https://git.example.com/interleaved/two-" + UUID.randomUUID();
        List<Outbox.Entry> entries = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            entries.add(root(push(n % 3 == 0 ? one : two, n)));
        }
        try (TopicWindow topic = TopicWindow.openAtEnd(Topics.SOURCE)) {
            inTransaction(() -> outbox.addAll(entries));
            Outbox.Entry lastOfOne = entries.get(27);
            Outbox.Entry lastOfTwo = entries.get(29);
            topic.until(lastOfOne.eventId().toString());
            List<ConsumerRecord<String, String>> published = topic.until(lastOfTwo.eventId().toString());
            for (String key : List.of(one, two)) {
                assertThat(published.stream().filter(r -> key.equals(r.key())).map(OutboxRelayTests::id).toList()).as(key)
                        .containsExactlyElementsOf(entries.stream().filter(e -> e.event().key().equals(key))
                                .map(e -> e.eventId().toString()).toList());
            }
            // the rows are in list order too, so the relay's id order is the order of the list
            List<List<Object>> rows = DatabaseRows.rows(CascadeInfraResource.infra(), "messaging",
                    "select event_id from outbox_event where event_key in (?, ?) order by id", one, two);
            assertThat(rows.stream().map(r -> r.get(0)).toList())
                    .containsExactlyElementsOf(entries.stream().map(e -> (Object) e.eventId().toString()).toList());
        }
    }

    @Test
    void publishedEventCarriesItsCloudEventsAttributesAndItsRowIsStampedSent() throws Throwable {
        String repository = "https://git.example.com/attributes/" + UUID.randomUUID();
        SourcePushed event = push(repository, 7);
        UUID id = UUID.randomUUID();
        Causation causation = new Causation(UUID.randomUUID(), UUID.randomUUID());
        try (TopicWindow topic = TopicWindow.openAtEnd(Topics.SOURCE)) {
            inTransaction(() -> outbox.add(id, event, causation));

            ConsumerRecord<String, String> record = topic.until(id.toString()).stream()
                    .filter(r -> id.toString().equals(id(r))).findFirst().orElseThrow();
            assertThat(record.key()).isEqualTo(repository);
            assertThat(record.value()).contains("\"after\":\"" + event.after() + "\"");
            assertThat(CloudEventRecords.header(record.headers(), "ce_type")).isEqualTo(EventTypes.SOURCE_PUSHED);
            assertThat(CloudEventRecords.header(record.headers(), "ce_source")).isEqualTo("/cascade/messaging-tests");
            assertThat(CloudEventRecords.header(record.headers(), "ce_subject")).isEqualTo(repository);
            assertThat(CloudEventRecords.header(record.headers(), CloudEventAttributes.kafkaHeader(CloudEventAttributes.PIPELINE_ID)))
                    .isEqualTo(causation.pipelineId().toString());
            assertThat(CloudEventRecords.header(record.headers(), CloudEventAttributes.kafkaHeader(CloudEventAttributes.CAUSATION_ID)))
                    .isEqualTo(causation.causationId().toString());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> DatabaseRows.count(CascadeInfraResource.infra(), "messaging",
                "select count(*) from outbox_event where event_id = ? and sent_at is not null", id) == 1);
    }
}
