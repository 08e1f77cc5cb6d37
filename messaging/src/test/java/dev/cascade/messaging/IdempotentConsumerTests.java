package dev.cascade.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.testapp.SourcePushConsumer;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.DatabaseRows;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A consumer built on {@link IdempotentConsumer}, on a real broker and database: a redelivered event changes nothing,
 * an event it cannot process goes to the dead-letter topic with the reason and leaves its partition free, and an
 * event that arrives while the database is down waits for it.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "messaging"))
class IdempotentConsumerTests {

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    /** A source push of {@code repository} as the contract publishes it. */
    static ProducerRecord<String, String> pushed(String repository, UUID id, String ref, String after) {
        return CloudEventRecords.event(Topics.SOURCE, repository, id, EventTypes.SOURCE_PUSHED, """
                {"repository":"%s","refType":"BRANCH","ref":"%s","after":"%s","sender":"generic"}"""
                .formatted(repository, ref, after));
    }

    static String commit(char c) {
        return String.valueOf(c).repeat(40);
    }

    @SafeVarargs
    private void produce(ProducerRecord<String, String>... records) {
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(records).awaitCompletion();
    }

    static long count(String sql, Object... args) throws SQLException {
        return DatabaseRows.count(CascadeInfraResource.infra(), "messaging", sql, args);
    }

    static long consumed(UUID eventId) throws SQLException {
        return count("select count(*) from consumed_push where event_id = ?", eventId);
    }

    static long processed(UUID eventId) throws SQLException {
        return count("select count(*) from processed_event where consumer = ? and event_id = ?", SourcePushConsumer.NAME,
                eventId.toString());
    }

    /** Waits until the consumer has acted on the event: it is taken in order, so everything before it on its key is settled. */
    static void awaitConsumed(UUID eventId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> consumed(eventId) == 1);
    }

    @Test
    void redeliveredEventIsActedOnOnce() throws Exception {
        String repository = "https://git.example.com/redelivered/" + UUID.randomUUID();
        UUID id = UUID.randomUUID();
        ProducerRecord<String, String> event = pushed(repository, id, "main", commit('a'));
        produce(event, event, event);
        UUID marker = UUID.randomUUID();
        produce(pushed(repository, marker, "main", commit('b')));

        awaitConsumed(marker);
        assertThat(consumed(id)).isEqualTo(1);
        assertThat(processed(id)).isEqualTo(1);
    }

    @Test
    void eventsThatCannotBeProcessedAreDeadLetteredWithTheReasonAndTheNextOneOfTheirKeyIsProcessed() throws Exception {
        String repository = "https://git.example.com/dead-lettered/" + UUID.randomUUID();
        UUID notOfTheContract = UUID.randomUUID();
        UUID refused = UUID.randomUUID();
        UUID next = UUID.randomUUID();
        produce(new ProducerRecord<>(Topics.SOURCE, repository, "{\"no\":\"cloudevent\"}"),
                CloudEventRecords.event(Topics.SOURCE, repository, notOfTheContract, EventTypes.SOURCE_PUSHED, "{\"ref\":\"main\"}"),
                pushed(repository, refused, SourcePushConsumer.REFUSED_REF, commit('c')),
                pushed(repository, next, "main", commit('d')));

        awaitConsumed(next);
        List<ConsumerRecord<String, String>> dead;
        try (ConsumerTask<String, String> task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.deadLetter(Topics.SOURCE))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> task.getRecords().stream().filter(r -> repository.equals(r.key())).count() >= 3);
            dead = task.getRecords().stream().filter(r -> repository.equals(r.key())).toList();
        }
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0).value()).isEqualTo("{\"no\":\"cloudevent\"}");
        assertThat(CloudEventRecords.header(dead.get(0).headers(), "dead-letter-reason")).contains("not a CloudEvent");
        assertThat(CloudEventRecords.header(dead.get(1).headers(), "dead-letter-reason")).contains("is not a valid SourcePushed");
        assertThat(CloudEventRecords.header(dead.get(2).headers(), "dead-letter-reason")).contains("refuses the ref");
        // what was dead-lettered is not recorded as processed: replayed from the dead-letter topic, it would be acted on
        assertThat(consumed(notOfTheContract)).isZero();
        assertThat(processed(notOfTheContract)).isZero();
        assertThat(consumed(refused)).isZero();
        assertThat(processed(refused)).isZero();
        assertThat(processed(next)).isEqualTo(1);
    }

    @Test
    void eventThatArrivesWhileTheDatabaseIsDownWaitsForItAndIsActedOnOnce() throws Exception {
        String repository = "https://git.example.com/database-down/" + UUID.randomUUID();
        UUID id = UUID.randomUUID();
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler watch = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(IdempotentConsumer.class.getName());
        log.addHandler(watch);
        try {
            CascadeInfraResource.infra().stopPostgres();
            try {
                produce(pushed(repository, id, "main", commit('e')));
                // more attempts than the eight any other failure is given before the dead-letter topic
                await().atMost(Duration.ofSeconds(120)).until(() -> warnings.stream()
                        .filter(w -> w.contains(id.toString()) && w.contains("waits for the database")).count() > 8);
            } finally {
                CascadeInfraResource.infra().startPostgres();
            }
        } finally {
            log.removeHandler(watch);
        }

        // acted on once the database is back, not dead-lettered (a dead-lettered event is never acted on)
        awaitConsumed(id);
        assertThat(processed(id)).isEqualTo(1);
    }
}
