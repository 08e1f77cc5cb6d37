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
 * <p>An instance expires other instances' leases only after it has itself reached the database without a break for
 * a whole lease: after an outage that kept every instance from renewing, the live owners renew first.
 */
@ApplicationScoped
public class BuildLeases {

    private static final long CLAIM_LOCK = 0x6361736361646542L; // "cascadeB"

    private final Pool pool;
    private final Duration lease;
    private final String instance;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private volatile Instant reachedSince = Instant.now();

    public BuildLeases(Pool pool, QueueSettings settings) {
        this.pool = pool;
        this.lease = settings.lease();
        String host = System.getenv().getOrDefault("HOSTNAME", "build-service");
        this.instance = host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        Log.infof("build leases: this instance is %s; leases last %s", instance, lease);
        periodic.every(lease.dividedBy(3), "build leases", this::renewAndRecover);
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
    }

    /** Renews the leases of the builds this instance runs, then queues again the started builds nobody renews. */
    Uni<Void> renewAndRecover() {
        UUID[] mine = running.toArray(UUID[]::new);
        return pool.preparedQuery("""
                        UPDATE build SET lease_until = now() + make_interval(secs => $1)
                        WHERE status = 'STARTED' AND lease_owner = $2 AND id = ANY($3)""")
                .execute(Tuple.of((double) lease.toMillis() / 1000, instance, mine))
                .onFailure().invoke(f -> reachedSince = Instant.now())
                .chain(renewed -> Instant.now().isBefore(reachedSince.plus(lease)) ? Uni.createFrom().voidItem() : recover(mine));
    }

    private Uni<Void> recover(UUID[] mine) {
        return pool.preparedQuery("""
                        WITH lost AS (
                            SELECT id, lease_owner FROM build
                            WHERE status = 'STARTED' AND (lease_until IS NULL OR lease_until < now()) AND NOT (id = ANY($1))
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
}
