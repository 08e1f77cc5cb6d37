package dev.cascade.build.watch;

import dev.cascade.common.image.ImageRef;
import dev.cascade.registry.RegistryClient;
import dev.cascade.registry.RegistryLookupException;
import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One instance's round of checks: it claims the tags that are due, registry by registry, as far as each registry's
 * budget allows, and asks each claimed tag's digest once. A claim is a lease on the tag's row taken under a lock of the
 * registry's row ({@code FOR UPDATE SKIP LOCKED}), and each request is counted in the database in the same transaction,
 * so several instances together ask each tag once per interval and stay within one budget per registry.
 */
final class TagWatcher {

    /** At most this many tags are claimed in one round. */
    static final int MAX_CLAIMS = 100;

    /**
     * A tag claimed by this instance for one check.
     *
     * @param lastDigest the digest the last successful check found; null before one
     * @param claimedAt  the database's time of the claim
     */
    record Claim(String image, String registry, String lastDigest, Duration interval, OffsetDateTime claimedAt) {
    }

    private final Vertx vertx;
    private final Pool pool;
    private final RegistryClient registries;
    private final WatchSettings settings;
    private final WatchBudgets budgets;
    private final WatchRecords records;
    private final String owner;
    private final AtomicBoolean busy = new AtomicBoolean();

    TagWatcher(Vertx vertx, Pool pool, RegistryClient registries, WatchSettings settings, WatchBudgets budgets, WatchRecords records,
               String owner) {
        this.vertx = vertx;
        this.pool = pool;
        this.registries = registries;
        this.settings = settings;
        this.budgets = budgets;
        this.records = records;
        this.owner = owner;
    }

    String owner() {
        return owner;
    }

    /** Claims what is due and checks it; answers how many tags it checked (none when the last round still runs). */
    Uni<Integer> round() {
        if (!busy.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        return claim()
                .chain(claims -> claims.isEmpty() ? Uni.createFrom().item(0) : Multi.createFrom().iterable(claims)
                        .onItem().transformToUni(c -> onOwnContext(() -> check(c).replaceWith(1))).merge(Math.max(1, settings.concurrency()))
                        .collect().asList().map(List::size))
                .eventually(() -> busy.set(false));
    }

    /** In one transaction: the registries that may be asked now, locked, and as many of their due tags as each budget allows. */
    Uni<List<Claim>> claim() {
        return pool.withTransaction(conn -> conn.query("""
                                SELECT r.registry FROM watched_registry r
                                WHERE (r.backoff_until IS NULL OR r.backoff_until <= now())
                                  AND EXISTS (SELECT 1 FROM watched_image w WHERE w.registry = r.registry AND w.next_check_at <= now()
                                              AND (w.lease_until IS NULL OR w.lease_until < now()))
                                ORDER BY r.registry FOR UPDATE OF r SKIP LOCKED""").execute()
                .chain(rows -> {
                    List<String> due = new ArrayList<>();
                    rows.forEach(r -> due.add(r.getString(0)));
                    return Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(r -> claimFrom(conn, r))
                            .collect().in(ArrayList<Claim>::new, List::addAll);
                }));
    }

    private Uni<List<Claim>> claimFrom(SqlConnection conn, String registry) {
        int perHour = budgets.perHour(registry);
        int perMinute = budgets.perMinute(registry);
        return conn.preparedQuery("DELETE FROM watch_request WHERE registry = $1 AND sent_at < now() - interval '1 hour'")
                .execute(Tuple.of(registry))
                .chain(() -> conn.preparedQuery("""
                                SELECT count(*), count(*) FILTER (WHERE sent_at > now() - interval '1 minute')
                                FROM watch_request WHERE registry = $1""").execute(Tuple.of(registry)))
                .map(rows -> {
                    Row used = rows.iterator().next();
                    return (int) Math.min(MAX_CLAIMS, Math.min(perHour - used.getLong(0), perMinute - used.getLong(1)));
                })
                .chain(room -> room <= 0 ? Uni.createFrom().item(List.<Claim>of()) : conn.preparedQuery("""
                                UPDATE watched_image w SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
                                FROM (SELECT image FROM watched_image
                                      WHERE registry = $1 AND next_check_at <= now() AND (lease_until IS NULL OR lease_until < now())
                                      ORDER BY next_check_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
                                WHERE w.image = due.image
                                RETURNING w.image, w.last_digest, w.interval_ms, now()""")
                        .execute(Tuple.of(registry, owner, settings.lease().toMillis() / 1000.0, room))
                        .chain(claimed -> {
                            List<Claim> claims = new ArrayList<>();
                            claimed.forEach(r -> claims.add(new Claim(r.getString(0), registry, r.getString(1),
                                    Duration.ofMillis(r.getLong(2)), r.getOffsetDateTime(3))));
                            if (claims.isEmpty()) {
                                return Uni.createFrom().item(claims);
                            }
                            return conn.preparedQuery("INSERT INTO watch_request (registry, sent_at) SELECT $1, now() FROM generate_series(1, $2)")
                                    .execute(Tuple.of(registry, claims.size())).replaceWith(claims);
                        }));
    }

    /** Asks the tag's digest and records what came of it; a check that outlives half its lease counts as no answer. */
    private Uni<Void> check(Claim claim) {
        Duration limit = settings.lease().dividedBy(2);
        return registries.resolveDigest(ImageRef.parse(claim.image()))
                .ifNoItem().after(limit).failWith(() -> new RegistryLookupException("registry " + claim.registry() + " did not answer a check of "
                        + claim.image() + " within " + limit.toSeconds() + " s", new HttpTimeoutException("no answer")))
                .onItemOrFailure().transformToUni((digest, failure) -> failure == null
                        ? records.found(claim, digest, owner)
                        : records.failed(claim, failure, owner))
                .onFailure().invoke(f -> Log.warnf("watched image %s: the check's outcome could not be recorded: %s", claim.image(), f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Runs each check on a fresh duplicated context of its own: its transaction must not meet a sibling's session. */
    private <T> Uni<T> onOwnContext(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            context.runOnContext(ignored -> work.get().subscribe().with(emitter::complete, emitter::fail));
        });
    }
}
