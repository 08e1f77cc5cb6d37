package dev.cascade.build.watch;

import dev.cascade.common.image.RegistryAliases;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The newest state of every watched tag and of its registry, as {@code GET /api/watched-images} shows it. */
@ApplicationScoped
public class WatchedImages {

    /**
     * A registry's budget and health, the same for every tag of the registry.
     *
     * @param remaining    requests left of the budget in the last hour
     * @param backoffUntil until when the registry is left alone; null when it is not
     * @param lastError    why the registry is left alone; null when its last answer was fine
     */
    public record RegistryState(int budgetPerHour, int remaining, Instant backoffUntil, String lastError) {
    }

    /**
     * A watched tag.
     *
     * @param image         canonical {@code registry/repository:tag}
     * @param webhooks      whether its registry is configured as sending webhooks (the interval is the safety net's)
     * @param interval      ISO-8601 duration between two checks
     * @param lastCheckedAt null before the first check
     * @param lastDigest    null before the first successful check
     * @param lastChangedAt when a check last found a new digest; null if none has
     * @param nextCheckAt   when it is asked next (not before its registry's backoff ends)
     * @param lastError     why the last check failed; null when it worked
     */
    public record WatchedImage(String image, String registry, WatchedFor watchedFor, boolean webhooks, String interval,
                               Instant lastCheckedAt, String lastDigest, Instant lastChangedAt, Instant nextCheckAt, String lastError,
                               RegistryState registryState) {
    }

    private final Pool pool;
    private final WatchBudgets budgets;
    private final RegistryAliases aliases;

    WatchedImages(Pool pool, WatchBudgets budgets, RegistryAliases aliases) {
        this.pool = pool;
        this.budgets = budgets;
        this.aliases = aliases;
    }

    /**
     * @param registry only the tags of this registry (any of its names); null for all
     * @param failing  only the tags whose last check failed
     * @return sorted by image
     */
    public Uni<List<WatchedImage>> list(String registry, boolean failing) {
        String only = registry == null || registry.isBlank() ? null : aliases.canonical(registry.trim());
        return pool.preparedQuery("""
                        WITH used AS (SELECT registry, count(*) AS n FROM watch_request
                                      WHERE sent_at > now() - interval '1 hour' GROUP BY registry)
                        SELECT w.image, w.registry, w.configs, w.builders, w.workloads, w.webhooks, w.interval_ms,
                               w.last_checked_at, w.last_digest, w.last_changed_at, greatest(w.next_check_at, r.backoff_until),
                               w.last_error, CASE WHEN r.backoff_until > now() THEN r.backoff_until END, r.last_error, coalesce(u.n, 0)
                        FROM watched_image w
                        LEFT JOIN watched_registry r ON r.registry = w.registry
                        LEFT JOIN used u ON u.registry = w.registry
                        WHERE ($1::text IS NULL OR w.registry = $1) AND (NOT $2 OR w.last_error IS NOT NULL)
                        ORDER BY w.image""")
                .execute(Tuple.of(only, failing))
                .map(rows -> {
                    List<WatchedImage> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    private WatchedImage view(Row r) {
        String registry = r.getString(1);
        int budget = budgets.perHour(registry);
        RegistryState state = new RegistryState(budget, (int) Math.max(0, budget - r.getLong(14)), instant(r.getOffsetDateTime(12)),
                r.getString(13));
        return new WatchedImage(r.getString(0), registry, WatchList.watchedFor(r), r.getBoolean(5),
                Duration.ofMillis(r.getLong(6)).toString(), instant(r.getOffsetDateTime(7)), r.getString(8), instant(r.getOffsetDateTime(9)),
                instant(r.getOffsetDateTime(10)), r.getString(11), state);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
