package dev.cascade.build.watch;

import dev.cascade.build.image.ImagePushes;
import dev.cascade.common.image.ImageRef;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.registry.RegistryLookupException;
import dev.cascade.registry.TagNotFoundException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What a check of a watched tag found, recorded by the instance that still holds the tag's lease: a digest (the first one
 * is the baseline; a different one later is a push, published through {@link ImagePushes#polled} in the transaction that
 * records it), or a failure. A registry that throttles, fails on its side, cannot be reached or refuses the credentials
 * is left alone for a while (its {@code Retry-After}, else a backoff doubled per failure in a row, capped); a tag the
 * registry does not have or denies is asked again later, the registry's other tags meanwhile as usual.
 */
@ApplicationScoped
class WatchRecords {

    private final Pool pool;
    private final ImagePushes imagePushes;
    private final OutboxRelay relay;
    private final WatchSettings settings;
    private final Intervals intervals;

    WatchRecords(Pool pool, ImagePushes imagePushes, OutboxRelay relay, WatchSettings settings, Intervals intervals) {
        this.pool = pool;
        this.imagePushes = imagePushes;
        this.relay = relay;
        this.settings = settings;
        this.intervals = intervals;
    }

    /** The tag points at {@code digest}. */
    Uni<Void> found(TagWatcher.Claim claim, String digest, String owner) {
        double next = seconds(intervals.jittered(claim.interval()));
        if (claim.lastDigest() == null || claim.lastDigest().equals(digest)) {
            return pool.preparedQuery("""
                            UPDATE watched_image SET last_checked_at = now(), last_digest = $3, last_error = NULL,
                                next_check_at = now() + make_interval(secs => $4), lease_owner = NULL, lease_until = NULL
                            WHERE image = $1 AND lease_owner = $2""")
                    .execute(Tuple.of(claim.image(), owner, digest, next))
                    .invoke(rows -> {
                        if (claim.lastDigest() == null && rows.rowCount() == 1) {
                            Log.infof("watched image %s: at %s", claim.image(), digest);
                        }
                    })
                    .chain(() -> healthy(claim.registry()));
        }
        ImageRef ref = ImageRef.parse(claim.image());
        return Panache.withTransaction(() -> Panache.getSession()
                        .chain(s -> s.createNativeQuery("""
                                        UPDATE watched_image SET last_checked_at = now(), last_digest = ?3, last_changed_at = now(),
                                            last_error = NULL, next_check_at = now() + make_interval(secs => ?4),
                                            lease_owner = NULL, lease_until = NULL
                                        WHERE image = ?1 AND lease_owner = ?2 AND last_digest = ?5""")
                                .setParameter(1, claim.image())
                                .setParameter(2, owner)
                                .setParameter(3, digest)
                                .setParameter(4, next)
                                .setParameter(5, claim.lastDigest())
                                .executeUpdate())
                        // only the instance that still holds the lease records the change, and publishes it
                        .chain(updated -> updated == 1 ? imagePushes.polled(ref, digest).replaceWith(true) : Uni.createFrom().item(false)))
                .invoke(changed -> {
                    if (changed) {
                        Log.infof("watched image %s: now at %s (was %s)", claim.image(), digest, claim.lastDigest());
                        relay.relaySoon();
                    }
                })
                .chain(() -> healthy(claim.registry()));
    }

    /** The check failed: the registry or the tag is left alone for a while, and the failure is shown on both. */
    Uni<Void> failed(TagWatcher.Claim claim, Throwable failure, String owner) {
        RegistryLookupException e = failure instanceof RegistryLookupException r ? r : null;
        String message = failure.getMessage() != null ? failure.getMessage() : failure.toString();
        boolean registryWide = e != null && (e.throttled() || e.serverError() || e.unreachable() || e.unauthorized());
        if (registryWide) {
            Log.warnf("watched image %s: %s", claim.image(), message);
            // the tag stays due: it is asked again when its registry's backoff has passed. The registry is left alone
            // before the tag's lease is given up, so no claim in between finds the tag due and its registry askable
            return backOff(claim, e, message)
                    .chain(() -> pool.preparedQuery("""
                            UPDATE watched_image SET last_checked_at = now(), last_error = $3, lease_owner = NULL, lease_until = NULL
                            WHERE image = $1 AND lease_owner = $2""")
                    .execute(Tuple.of(claim.image(), owner, message)))
                    .replaceWithVoid();
        }
        // the registry answered: the tag is missing, denied, or answered strangely; its registry's other tags go on
        Duration wait = e != null && e.status() == 403 ? settings.maxBackoff() : intervals.jittered(claim.interval());
        if (!(e instanceof TagNotFoundException)) {
            Log.warnf("watched image %s: %s", claim.image(), message);
        }
        return pool.preparedQuery("""
                        UPDATE watched_image SET last_checked_at = now(), last_error = $3,
                            next_check_at = now() + make_interval(secs => $4), lease_owner = NULL, lease_until = NULL
                        WHERE image = $1 AND lease_owner = $2""")
                .execute(Tuple.of(claim.image(), owner, message, seconds(wait)))
                .chain(() -> e != null ? healthy(claim.registry()) : Uni.createFrom().voidItem());
    }

    /**
     * The registry is left alone: for the first failure after it was last claimed, a backoff doubled per failure in a row
     * (capped); never shorter than the {@code Retry-After} it asked for. Checks claimed in the same round that fail
     * the same way do not count again.
     */
    private Uni<Void> backOff(TagWatcher.Claim claim, RegistryLookupException e, String message) {
        double retryAfter = e.retryAfter().map(WatchRecords::seconds).orElse(0.0);
        return pool.preparedQuery("""
                        UPDATE watched_registry SET failures = failures + 1, last_error = $5,
                            backoff_until = now() + make_interval(secs => greatest($2, least($3, $4 * power(2, failures))))
                        WHERE registry = $1 AND (backoff_until IS NULL OR backoff_until <= $6)""")
                .execute(Tuple.of(claim.registry(), retryAfter, seconds(settings.maxBackoff()), seconds(settings.backoff()), message,
                        claim.claimedAt()))
                .chain(() -> pool.preparedQuery("""
                                UPDATE watched_registry SET last_error = $3,
                                    backoff_until = greatest(backoff_until, now() + make_interval(secs => $2))
                                WHERE registry = $1""")
                        .execute(Tuple.of(claim.registry(), retryAfter, message)))
                .replaceWithVoid();
    }

    /**
     * The registry answered: its failures in a row are over, unless it is being left alone now (an answer to a request
     * sent before a sibling request was throttled does not lift the wait).
     */
    private Uni<Void> healthy(String registry) {
        return pool.preparedQuery("""
                        UPDATE watched_registry SET failures = 0, backoff_until = NULL, last_error = NULL
                        WHERE registry = $1 AND (backoff_until IS NULL OR backoff_until <= now())
                          AND (failures > 0 OR backoff_until IS NOT NULL OR last_error IS NOT NULL)""")
                .execute(Tuple.of(registry))
                .replaceWithVoid();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
