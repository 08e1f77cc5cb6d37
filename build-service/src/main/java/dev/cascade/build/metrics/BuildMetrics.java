package dev.cascade.build.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.EventTypes;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Periodic;
import dev.cascade.messaging.PublishedEvent;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * Builds as metrics, beside the technical ones on {@code /q/metrics}:
 *
 * <ul>
 *   <li>{@code cascade_builds_total{status}} — build events published (queued, started, succeeded, failed, cancelled,
 *       skipped)</li>
 *   <li>{@code cascade_build_duration_seconds{status}} — started to finished, for builds that ended</li>
 *   <li>{@code cascade_build_queue_wait_seconds} — queued to started</li>
 *   <li>{@code cascade_builds_queued}, {@code cascade_builds_running}, {@code cascade_build_oldest_queued_age_seconds}
 *       — sampled from the database, so every replica reports the shared queue</li>
 *   <li>{@code cascade_cascade_size} — builds queued by one base-image cascade</li>
 * </ul>
 *
 * Counts and durations come from the events this service published, so a build is counted when its event is out,
 * by the replica that published it; durations are read from the build's row.
 */
@ApplicationScoped
public class BuildMetrics {

    private static final Duration[] DURATION_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(30)};

    private final Pool pool;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final Duration sampleEvery;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong oldestQueuedMillis = new AtomicLong();
    private final Timer queueWait;
    private final DistributionSummary cascadeSize;

    public BuildMetrics(Pool pool, ObjectMapper json, MeterRegistry registry, Vertx vertx,
                        @ConfigProperty(name = "cascade.metrics.sample-interval", defaultValue = "5s") Duration sampleEvery) {
        this.pool = pool;
        this.json = json;
        this.registry = registry;
        this.vertx = vertx;
        this.sampleEvery = sampleEvery;
        Gauge.builder("cascade.builds.queued", queued, AtomicLong::get).description("Builds waiting to start").register(registry);
        Gauge.builder("cascade.builds.running", running, AtomicLong::get).description("Builds started and not ended").register(registry);
        Gauge.builder("cascade.build.oldest.queued.age", oldestQueuedMillis, a -> a.get() / 1000.0).baseUnit("seconds")
                .description("How long the longest-waiting queued build has waited; 0 when none").register(registry);
        queueWait = Timer.builder("cascade.build.queue.wait").description("From queued to started")
                .serviceLevelObjectives(DURATION_BUCKETS).register(registry);
        cascadeSize = DistributionSummary.builder("cascade.cascade.size").description("Builds queued by one base-image cascade")
                .serviceLevelObjectives(1, 5, 10, 50, 100, 500, 1000, 5000).register(registry);
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(sampleEvery, "build metrics", this::sample);
    }

    Uni<Void> sample() {
        return pool.query("""
                        SELECT count(*) FILTER (WHERE status = 'QUEUED') AS queued,
                               count(*) FILTER (WHERE status = 'STARTED') AS running,
                               min(created_at) FILTER (WHERE status = 'QUEUED') AS oldest
                        FROM build WHERE status IN ('QUEUED', 'STARTED')""").execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    queued.set(r.getLong("queued"));
                    running.set(r.getLong("running"));
                    OffsetDateTime oldest = r.getOffsetDateTime("oldest");
                    oldestQueuedMillis.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, OffsetDateTime.now()).toMillis()));
                })
                .replaceWithVoid();
    }

    /** A base-image cascade queued {@code builds} builds. */
    public void cascadeQueued(int builds) {
        cascadeSize.record(builds);
    }

    void published(@Observes PublishedEvent event) {
        if (!event.type().startsWith(EventTypes.BUILD_PREFIX)) {
            return;
        }
        BuildStatus status = BuildStatus.fromEventType(event.type());
        String name = status.name().toLowerCase(Locale.ROOT);
        registry.counter("cascade.builds", "status", name).increment();
        if (status == BuildStatus.STARTED || (status.isFinal() && status != BuildStatus.SKIPPED)) {
            UUID id = buildId(event);
            if (id != null) {
                BackgroundWork.run(vertx.getDelegate(), "build metrics", () -> timings(id, status, name));
            }
        }
    }

    private Uni<Void> timings(UUID id, BuildStatus status, String name) {
        return pool.preparedQuery("SELECT created_at, started_at, finished_at FROM build WHERE id = $1").execute(Tuple.of(id))
                .invoke(rows -> rows.forEach(r -> {
                    OffsetDateTime created = r.getOffsetDateTime("created_at");
                    OffsetDateTime started = r.getOffsetDateTime("started_at");
                    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
                    if (status == BuildStatus.STARTED && started != null) {
                        queueWait.record(Duration.between(created, started));
                    } else if (started != null && finished != null) {
                        Timer.builder("cascade.build.duration").description("From started to ended, by how it ended")
                                .tag("status", name).serviceLevelObjectives(DURATION_BUCKETS).register(registry)
                                .record(Duration.between(started, finished));
                    }
                }))
                .replaceWithVoid();
    }

    private UUID buildId(PublishedEvent event) {
        try {
            return UUID.fromString(json.readTree(event.payload()).path("buildId").asText());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
