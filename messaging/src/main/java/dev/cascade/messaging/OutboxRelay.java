package dev.cascade.messaging;

import dev.cascade.common.events.CloudEventAttributes;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.net.URI;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * Publishes the outbox to Kafka in id order, as binary-mode CloudEvents keyed as the contract says, and
 * stamps each row sent once the broker has acknowledged it (the channel uses {@code acks=all}).
 *
 * <p>One relay at a time per database holds a transaction-scoped advisory lock, so several replicas of a
 * service never publish the same row concurrently or out of order. A broker outage leaves rows unsent;
 * they go out when it is back. Delivery is at-least-once: a crash between the broker's ack and the
 * stamp republishes a row with the same event id, which consumers recognise.
 *
 * <p>The relay polls, and can also be woken ({@link #relaySoon()}) by code that has just committed outbox rows,
 * so an event need not wait for the next poll; the poll stays, for rows whose writer did not wake it.
 */
@ApplicationScoped
public class OutboxRelay {

    /** The outgoing channel every service configures for its outbox; the topic is set per message. */
    public static final String CHANNEL = "outbox";

    private static final long ADVISORY_LOCK = 0x636173636164654cL; // "cascadeL"

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final URI source;
    private final int batchSize;
    private final Duration pollInterval;
    private final Vertx vertx;
    private final Event<PublishedEvent> published;
    private final AtomicBoolean running = new AtomicBoolean();
    /** A wake arrived: set before a relay is asked for, cleared when one starts, so no wake is lost to a running relay. */
    private final AtomicBoolean wanted = new AtomicBoolean();
    private volatile boolean stopping;

    public OutboxRelay(Pool pool, @Channel(CHANNEL) MutinyEmitter<String> emitter, Vertx vertx, Event<PublishedEvent> published,
                       @ConfigProperty(name = "cascade.events.source") String source,
                       @ConfigProperty(name = "cascade.outbox.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "cascade.outbox.poll-interval", defaultValue = "100ms") Duration pollInterval) {
        this.pool = pool;
        this.emitter = emitter;
        this.source = URI.create(source);
        this.batchSize = batchSize;
        this.pollInterval = pollInterval;
        this.vertx = vertx;
        this.published = published;
    }

    /** Polls the outbox on a Vert.x timer once the application has started; a poll still running is not overlapped. */
    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(pollInterval, "outbox relay (unsent rows are retried)", this::relay);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
    }

    /**
     * Asks for a relay now, without waiting for the next poll: call it after the transaction that wrote outbox rows
     * has committed. A relay already running goes round once more when it ends, so the new rows are not left for
     * the poll.
     */
    public void relaySoon() {
        if (stopping) {
            return;
        }
        wanted.set(true);
        BackgroundWork.run(vertx, "outbox relay (unsent rows are retried)", this::relay);
    }

    /**
     * Publishes what is unsent, batch after batch.
     *
     * @return how many rows were published
     */
    public Uni<Integer> relay() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        wanted.set(false);
        return relayBatches(0).eventually(() -> {
            running.set(false);
            if (wanted.get()) {
                relaySoon();
            }
        });
    }

    private Uni<Integer> relayBatches(int soFar) {
        return pool.withTransaction(this::relayOneBatch)
                .invoke(sent -> sent.forEach(this::announce)) // committed: the rows are stamped sent
                .map(List::size)
                .chain(n -> n < batchSize ? Uni.createFrom().item(soFar + n) : relayBatches(soFar + n));
    }

    /** Publishes one batch of unsent rows and stamps them sent, in the caller's transaction; returns the rows. */
    private Uni<List<Row>> relayOneBatch(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS locked").execute(Tuple.of(ADVISORY_LOCK))
                .chain(lock -> {
                    if (!lock.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(List.<Row>of()); // another replica is relaying
                    }
                    return conn.preparedQuery("""
                                    SELECT id, event_id, topic, event_key, event_type, pipeline_id, causation_id, subject, payload, created_at
                                    FROM outbox_event WHERE sent_at IS NULL ORDER BY id LIMIT $1""")
                            .execute(Tuple.of(batchSize))
                            .chain(rows -> {
                                List<Row> batch = new ArrayList<>();
                                rows.forEach(batch::add);
                                if (batch.isEmpty()) {
                                    return Uni.createFrom().item(batch);
                                }
                                Long[] ids = batch.stream().map(r -> r.getLong("id")).toArray(Long[]::new);
                                // handed to the producer in order without waiting for each acknowledgement (it keeps
                                // their order per partition); the batch counts as sent once every one is acknowledged
                                return Uni.join().all(batch.stream().map(r -> emitter.sendMessage(toMessage(r))).toList())
                                        .andFailFast()
                                        .chain(() -> conn.preparedQuery("UPDATE outbox_event SET sent_at = now() WHERE id = ANY($1)")
                                                .execute(Tuple.of(ids)))
                                        .replaceWith(batch);
                            });
                });
    }

    /** Tells this service's observers (metrics) that a row went out. */
    private void announce(Row r) {
        try {
            published.fire(new PublishedEvent(r.getString("event_type"), r.getString("topic"), r.getUUID("pipeline_id"),
                    r.getString("payload"), r.getOffsetDateTime("created_at")));
        } catch (RuntimeException e) {
            Log.warnf(e, "an observer of published event %s failed; the event was published", r.getUUID("event_id"));
        }
    }

    private Message<String> toMessage(Row r) {
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(r.getUUID("event_id").toString())
                .withType(r.getString("event_type"))
                .withSource(source)
                .withSubject(r.getString("subject"))
                .withDataContentType("application/json")
                .withTimestamp(r.getOffsetDateTime("created_at").atZoneSameInstant(ZoneOffset.UTC))
                .withExtension(CloudEventAttributes.PIPELINE_ID, r.getUUID("pipeline_id").toString())
                .withExtension(CloudEventAttributes.CAUSATION_ID, r.getUUID("causation_id").toString())
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(r.getString("topic"))
                .withKey(r.getString("event_key"))
                .build();
        return Message.of(r.getString("payload"), Metadata.of(ce, kafka));
    }
}
