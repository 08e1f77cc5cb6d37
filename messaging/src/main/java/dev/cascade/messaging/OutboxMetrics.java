package dev.cascade.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The outbox as metrics: rows not yet published and the age of the oldest (sampled from the database, so every
 * replica reports the same shared backlog), events published by type, and how long each waited between the
 * transaction that wrote it and the broker's acknowledgement.
 *
 * <ul>
 *   <li>{@code cascade_outbox_backlog} — unpublished rows</li>
 *   <li>{@code cascade_outbox_oldest_age_seconds} — age of the oldest unpublished row (0 when none)</li>
 *   <li>{@code cascade_events_published_total{type}}</li>
 *   <li>{@code cascade_outbox_delay_seconds} — written to acknowledged</li>
 * </ul>
 */
@ApplicationScoped
public class OutboxMetrics {

    private final Pool pool;
    private final MeterRegistry registry;
    private final Duration sampleEvery;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final Timer delay;
    private final Map<String, Counter> publishedByType = new ConcurrentHashMap<>();

    public OutboxMetrics(Pool pool, MeterRegistry registry,
                         @ConfigProperty(name = "cascade.metrics.sample-interval", defaultValue = "5s") Duration sampleEvery) {
        this.pool = pool;
        this.registry = registry;
        this.sampleEvery = sampleEvery;
        Gauge.builder("cascade.outbox.backlog", backlog, AtomicLong::get)
                .description("Outbox rows written but not yet acknowledged by the broker").register(registry);
        Gauge.builder("cascade.outbox.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0).baseUnit("seconds")
                .description("Age of the oldest unpublished outbox row; 0 when none").register(registry);
        delay = Timer.builder("cascade.outbox.delay")
                .description("From the transaction that wrote an event to the broker's acknowledgement")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30))
                .register(registry);
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(sampleEvery, "outbox metrics", this::sample);
    }

    Uni<Void> sample() {
        return pool.query("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox_event WHERE sent_at IS NULL").execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    backlog.set(r.getLong("n"));
                    OffsetDateTime oldest = r.getOffsetDateTime("oldest");
                    oldestAgeMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toMillis()));
                })
                .replaceWithVoid();
    }

    void published(@Observes PublishedEvent event) {
        publishedByType.computeIfAbsent(event.type(), type -> Counter.builder("cascade.events.published")
                .description("Events the broker acknowledged, by CloudEvents type").tag("type", type).register(registry)).increment();
        delay.record(Duration.between(event.createdAt(), OffsetDateTime.now()));
    }
}
