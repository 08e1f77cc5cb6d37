package dev.cascade.build.queue;

import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which instance of build-service runs which build, so that several can share one queue and a crashed one
 * leaves nothing stuck. Builds are claimed one instance at a time (a transaction-scoped advisory lock), so two
 * instances never start the same build, nor two builds of a Serial config. A claimed build carries a lease that
 * its instance renews while it runs the build; a started build whose lease has run out lost its instance and is
 * queued again, to run from the start wherever it is claimed next.
 *
 * <p>A request to cancel a started build is stored with it ({@code cancel_requested_at}), whichever instance was asked;
 * the instance that runs the build looks for such requests every second while it runs builds, and stops the build. A
 * started build whose instance died with a cancel request is cancelled rather than queued again.
 *
 * <p>An instance expires other instances' leases only after it has itself reached the database without a break for
 * a whole lease: after an outage that kept every instance from renewing, the live owners renew first.
 */
@ApplicationScoped
public class BuildLeases {

    private static final long CLAIM_LOCK = 0x6361736361646542L; // "cascadeB"
    /** How often an instance that runs builds looks for requests to cancel them. */
    private static final Duration CANCEL_POLL = Duration.ofSeconds(1);

    private final Pool pool;
    private final Duration lease;
    private final String instance;
    private final BuildRunner runner;
    private final BuildOutcomes outcomes;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    /** The builds running here that have been told to stop, so each is stopped once. */
    private final Set<UUID> stopping = ConcurrentHashMap.newKeySet();
    private volatile Instant reachedSince = Instant.now();

    public BuildLeases(Pool pool, QueueSettings settings, BuildRunner runner, BuildOutcomes outcomes) {
        this.pool = pool;
        this.runner = runner;
        this.outcomes = outcomes;
        this.lease = settings.lease();
        String host = System.getenv().getOrDefault("HOSTNAME", "build-service");
        this.instance = host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        Log.infof("build leases: this instance is %s; leases last %s", instance, lease);
        periodic.every(lease.dividedBy(3), "build leases", this::renewAndRecover);
        periodic.every(CANCEL_POLL, "build cancel requests", this::stopCancelled);
    }

    /** In the caller's transaction: the build is to be stopped by whichever instance runs it. */
    Uni<Void> requestCancel(UUID build) {
        return Panache.getSession().chain(s -> s.createNativeQuery("UPDATE build SET cancel_requested_at = now() WHERE id = ?1")
                        .setParameter(1, build)
                        .executeUpdate())
                .replaceWithVoid();
    }

    /** After a cancel request has been committed: stops the build at once when it runs here. */
    void stopIfCancelledHere(UUID build) {
        if (running.contains(build) && stopping.add(build)) {
            Log.infof("build %s: cancel requested; stopping it", build);
            runner.stop(build);
        }
    }

    /** Stops the builds running here that some instance was asked to cancel. */
    Uni<Void> stopCancelled() {
        if (running.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UUID[] mine = running.toArray(UUID[]::new);
        return pool.preparedQuery("SELECT id FROM build WHERE id = ANY($1) AND status = 'STARTED' AND cancel_requested_at IS NOT NULL")
                .execute(Tuple.of(mine))
                .invoke(rows -> rows.forEach(r -> stopIfCancelledHere(r.getUUID(0))))
                .replaceWithVoid();
    }

    /** First in a claiming transaction: waits until no other instance is claiming. */
    Uni<Void> lockClaims() {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(?1)")
                        .setParameter(1, CLAIM_LOCK)
                        .getSingleResult())
                .replaceWithVoid();
    }

    /** In the claiming transaction: the claimed builds are this instance's for one lease. */
    Uni<Void> take(Collection<Build> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<UUID> ids = claimed.stream().map(b -> b.id).toList();
        return Panache.getSession().chain(s -> s.createNativeQuery(
                                "UPDATE build SET lease_owner = ?1, lease_until = now() + make_interval(secs => ?2) WHERE id IN (?3)")
                        .setParameter(1, instance)
                        .setParameter(2, (double) lease.toMillis() / 1000)
                        .setParameter(3, ids)
                        .executeUpdate())
                .replaceWithVoid();
    }

    /** A build this instance claimed (and committed the claim of) now runs here: its lease is renewed until it ends. */
    void runs(UUID build) {
        running.add(build);
    }

    /** The build has ended here (or could not be run): its lease is no longer renewed. */
    void release(UUID build) {
        running.remove(build);
        stopping.remove(build);
    }

    /** Renews the leases of the builds this instance runs, then queues again the started builds nobody renews. */
    Uni<Void> renewAndRecover() {
        UUID[] mine = running.toArray(UUID[]::new);
        return pool.preparedQuery("""
                        UPDATE build SET lease_until = now() + make_interval(secs => $1)
                        WHERE status = 'STARTED' AND lease_owner = $2 AND id = ANY($3)""")
                .execute(Tuple.of((double) lease.toMillis() / 1000, instance, mine))
                .onFailure().invoke(f -> reachedSince = Instant.now())
                .chain(renewed -> Instant.now().isBefore(reachedSince.plus(lease)) ? Uni.createFrom().voidItem()
                        : recover(mine).chain(() -> cancelLost(mine)));
    }

    private Uni<Void> recover(UUID[] mine) {
        return pool.preparedQuery("""
                        WITH lost AS (
                            SELECT id, lease_owner FROM build
                            WHERE status = 'STARTED' AND (lease_until IS NULL OR lease_until < now()) AND NOT (id = ANY($1))
                                AND cancel_requested_at IS NULL
                            FOR UPDATE SKIP LOCKED)
                        UPDATE build b SET status = 'QUEUED', started_at = NULL, lease_owner = NULL, lease_until = NULL
                        FROM lost WHERE b.id = lost.id
                        RETURNING b.config, b.number, lost.lease_owner""")
                .execute(Tuple.of(mine))
                .invoke(rows -> rows.forEach(r -> Log.warnf("build %s #%d was running on %s, which no longer renews its lease; queued again",
                        r.getString(0), r.getInteger(1), r.getString(2) == null ? "an instance" : r.getString(2))))
                .onFailure().invoke(f -> reachedSince = Instant.now())
                .replaceWithVoid();
    }

    /** Started builds whose instance died after they were asked to stop end as cancelled (they are not queued again). */
    private Uni<Void> cancelLost(UUID[] mine) {
        return pool.preparedQuery("""
                        SELECT id, attempt FROM build
                        WHERE status = 'STARTED' AND (lease_until IS NULL OR lease_until < now()) AND NOT (id = ANY($1))
                            AND cancel_requested_at IS NOT NULL""")
                .execute(Tuple.of(mine))
                .chain(rows -> {
                    Uni<Void> all = Uni.createFrom().voidItem();
                    for (var r : rows) {
                        UUID id = r.getUUID(0);
                        int attempt = r.getInteger(1);
                        all = all.chain(() -> outcomes.cancelledWithoutInstance(id, attempt));
                    }
                    return all;
                })
                .onFailure().invoke(f -> reachedSince = Instant.now())
                .replaceWithVoid();
    }
}
