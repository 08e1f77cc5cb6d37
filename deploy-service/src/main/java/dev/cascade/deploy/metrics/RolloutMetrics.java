package dev.cascade.deploy.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Periodic;
import dev.cascade.messaging.PublishedEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Rollouts as metrics, beside the technical ones on {@code /q/metrics}:
 *
 * <ul>
 *   <li>{@code cascade_rollouts_total{outcome}} — rollout events published (started, succeeded, failed, rolledback,
 *       superseded); {@code outcome="rolledback"} counts the rollbacks</li>
 *   <li>{@code cascade_rollout_duration_seconds{outcome}} — from created to ended, for rollouts that ended</li>
 *   <li>{@code cascade_rollouts_active} — rollouts not ended (sampled from the database)</li>
 * </ul>
 */
@ApplicationScoped
public class RolloutMetrics {

    private static final Duration[] DURATION_BUCKETS = {Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30)};

    private final Pool pool;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final Duration sampleEvery;
    private final AtomicLong active = new AtomicLong();

    public RolloutMetrics(Pool pool, ObjectMapper json, MeterRegistry registry, Vertx vertx,
                          @ConfigProperty(name = "cascade.metrics.sample-interval", defaultValue = "5s") Duration sampleEvery) {
        this.pool = pool;
        this.json = json;
        this.registry = registry;
        this.vertx = vertx;
        this.sampleEvery = sampleEvery;
        Gauge.builder("cascade.rollouts.active", active, AtomicLong::get).description("Rollouts not ended").register(registry);
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(sampleEvery, "rollout metrics", this::sample);
    }

    Uni<Void> sample() {
        return pool.query("SELECT count(*) AS n FROM rollout WHERE finished_at IS NULL").execute()
                .invoke(rows -> active.set(rows.iterator().next().getLong("n")))
                .replaceWithVoid();
    }

    void published(@Observes PublishedEvent event) {
        if (!event.type().startsWith(EventTypes.ROLLOUT_PREFIX)) {
            return;
        }
        RolloutStatus status = RolloutStatus.fromEventType(event.type());
        String outcome = status.name().toLowerCase(Locale.ROOT);
        registry.counter("cascade.rollouts", "outcome", outcome).increment();
        if (status != RolloutStatus.STARTED) {
            UUID id = rolloutId(event);
            if (id != null) {
                BackgroundWork.run(vertx.getDelegate(), "rollout metrics", () -> duration(id, outcome));
            }
        }
    }

    private Uni<Void> duration(UUID id, String outcome) {
        return pool.preparedQuery("SELECT created_at, finished_at FROM rollout WHERE id = $1").execute(Tuple.of(id))
                .invoke(rows -> rows.forEach(r -> {
                    OffsetDateTime created = r.getOffsetDateTime("created_at");
                    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
                    if (finished != null) {
                        Timer.builder("cascade.rollout.duration").description("From the rollout's start to its end, by outcome")
                                .tag("outcome", outcome).serviceLevelObjectives(DURATION_BUCKETS).register(registry)
                                .record(Duration.between(created, finished));
                    }
                }))
                .replaceWithVoid();
    }

    private UUID rolloutId(PublishedEvent event) {
        try {
            return UUID.fromString(json.readTree(event.payload()).path("rolloutId").asText());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
