package dev.cascade.build.watch;

import dev.cascade.build.deploy.DeployServiceClient;
import dev.cascade.build.deploy.DeployServiceClient.WatchedWorkload;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Periodic;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Keeps {@code watched_image} to the tags that are watched ({@link WantedTags}): computed again from the configs and the
 * graph on a short period and when a config is saved or deleted, with the workloads deploy-service last named (asked on
 * a longer period; when it cannot be reached, the last known workloads stay). Instances take turns (an advisory lock).
 */
@ApplicationScoped
public class WatchList {

    private static final long SYNC_LOCK = 0x6361736361646557L; // "cascadeW"

    private final Pool pool;
    private final DeployServiceClient deploy;
    private final RegistryAliases aliases;
    private final WatchSettings settings;
    private final Intervals intervals;
    private final Vertx vertx;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile List<WatchedWorkload> workloads = List.of();
    private volatile Instant workloadsAsked = Instant.EPOCH;
    private volatile boolean deployReachable = true;

    WatchList(Pool pool, @RestClient DeployServiceClient deploy, RegistryAliases aliases, WatchSettings settings, Intervals intervals,
              Vertx vertx) {
        this.pool = pool;
        this.deploy = deploy;
        this.aliases = aliases;
        this.settings = settings;
        this.intervals = intervals;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        if (settings.enabled()) {
            periodic.every(settings.refresh(), "watched images", this::refresh);
            refreshSoon();
        }
    }

    /** Computes the watched set again now, in the background (after a config was saved or deleted). */
    public void refreshSoon() {
        if (settings.enabled()) {
            BackgroundWork.run(vertx, "watched images", this::refresh);
        }
    }

    /** Computes the watched set and brings the table to it; a refresh asked for while one runs follows it. */
    Uni<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        return askDeployService()
                .chain(this::wanted)
                .chain(this::sync)
                .eventually(() -> {
                    refreshing.set(false);
                    return again.getAndSet(false) ? refresh() : Uni.createFrom().voidItem();
                });
    }

    private Uni<List<WatchedWorkload>> askDeployService() {
        if (Instant.now().isBefore(workloadsAsked.plus(settings.workloadsRefresh()))) {
            return Uni.createFrom().item(workloads);
        }
        workloadsAsked = Instant.now();
        return deploy.watchedWorkloads()
                .ifNoItem().after(Duration.ofSeconds(10)).fail()
                .map(found -> {
                    workloads = List.copyOf(found);
                    deployReachable = true;
                    return workloads;
                })
                .onFailure().recoverWithItem(failure -> {
                    if (deployReachable) {
                        Log.warnf("watched images: deploy-service could not be asked which images its workloads follow (%s); "
                                + "the %d workloads known before stay watched", failure.toString(), workloads.size());
                    }
                    deployReachable = false;
                    return workloads;
                });
    }

    private Uni<Map<String, WatchedFor>> wanted(List<WatchedWorkload> following) {
        return pool.query("""
                        SELECT ci.config, ci.image, bc.strategy = 'source',
                               coalesce(bc.strategy = 'source'
                                        AND (bc.spec::jsonb -> 'strategy' ->> 'builderImage') LIKE '%@%', false)
                        FROM config_input ci JOIN build_config bc ON bc.name = ci.config""").execute()
                .chain(edgeRows -> pool.query("SELECT output_image FROM build_config").execute().map(outputRows -> {
                    List<WantedTags.Edge> edges = new ArrayList<>();
                    edgeRows.forEach(r -> edges.add(new WantedTags.Edge(r.getString(0), r.getString(1), r.getBoolean(2), r.getBoolean(3))));
                    Set<String> outputs = new HashSet<>();
                    outputRows.forEach(r -> outputs.add(r.getString(0)));
                    return WantedTags.of(edges, outputs, following, aliases);
                }));
    }

    private Uni<Void> sync(Map<String, WatchedFor> wanted) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(SYNC_LOCK))
                .chain(() -> conn.query("SELECT image, configs, builders, workloads, webhooks, interval_ms FROM watched_image").execute())
                .chain(rows -> {
                    Map<String, Row> current = new HashMap<>();
                    rows.forEach(r -> current.put(r.getString("image"), r));
                    List<Tuple> inserts = new ArrayList<>();
                    List<Tuple> updates = new ArrayList<>();
                    Set<String> registries = new TreeSet<>();
                    wanted.forEach((image, why) -> {
                        String registry = ImageRef.parse(image).registry();
                        registries.add(registry);
                        boolean webhooks = intervals.webhooks(registry);
                        long interval = intervals.of(registry, image).toMillis();
                        Tuple values = Tuple.of(image, registry, array(why.configs()), array(why.builders()), array(why.workloads()),
                                webhooks).addLong(interval);
                        Row row = current.remove(image);
                        if (row == null) {
                            inserts.add(values);
                        } else if (!why.equals(watchedFor(row)) || row.getBoolean("webhooks") != webhooks
                                || row.getLong("interval_ms") != interval) {
                            updates.add(values);
                        }
                    });
                    String[] gone = current.keySet().toArray(String[]::new);
                    if (!inserts.isEmpty() || gone.length > 0) {
                        Log.infof("watched images: %d watched, %d added, %d no longer watched", wanted.size(), inserts.size(), gone.length);
                    }
                    return batch(conn, """
                            INSERT INTO watched_image (image, registry, configs, builders, workloads, webhooks, interval_ms, next_check_at)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (image) DO NOTHING""", inserts)
                            .chain(() -> batch(conn, """
                                    UPDATE watched_image SET configs = $3, builders = $4, workloads = $5, webhooks = $6, interval_ms = $7::bigint,
                                        next_check_at = least(next_check_at, coalesce(last_checked_at, now()) + make_interval(secs => $7::bigint / 1000.0))
                                    WHERE image = $1 AND registry = $2""", updates))
                            .chain(() -> gone.length == 0 ? Uni.createFrom().voidItem()
                                    : conn.preparedQuery("DELETE FROM watched_image WHERE image = ANY($1)").execute(Tuple.of(gone)).replaceWithVoid())
                            .chain(() -> registries.isEmpty() ? Uni.createFrom().voidItem()
                                    : conn.preparedQuery("INSERT INTO watched_registry (registry) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING")
                                    .execute(Tuple.of(registries.toArray(String[]::new))).replaceWithVoid());
                }));
    }

    private static Uni<Void> batch(SqlConnection conn, String sql, List<Tuple> tuples) {
        return tuples.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery(sql).executeBatch(tuples).replaceWithVoid();
    }

    static WatchedFor watchedFor(Row row) {
        return new WatchedFor(List.of(row.getArrayOfStrings("configs")), List.of(row.getArrayOfStrings("builders")),
                List.of(row.getArrayOfStrings("workloads")));
    }

    private static String[] array(List<String> values) {
        return values.toArray(String[]::new);
    }
}
