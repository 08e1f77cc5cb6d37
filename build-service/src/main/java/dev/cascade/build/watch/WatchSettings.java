package dev.cascade.build.watch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cascade.watch.*}: which image tags are asked for their digest, how often, and how politely. Registry names are
 * canonical ({@code docker.io}, {@code ghcr.io}, {@code registry.example:5000}), as registry aliases make them.
 */
@ConfigMapping(prefix = "cascade.watch")
public interface WatchSettings {

    /** Whether this instance watches tags at all ({@code CASCADE_WATCH_ENABLED}). */
    @WithDefault("true")
    boolean enabled();

    /** Between two checks of a tag on a registry that sends no webhooks ({@code CASCADE_WATCH_INTERVAL}). */
    @WithDefault("10m")
    Duration interval();

    /**
     * Registries whose webhooks reach Cascade, comma-separated ({@code CASCADE_WATCH_WEBHOOK_REGISTRIES}): their tags are
     * checked only every {@link #webhookInterval()}, as a net for lost webhooks. None by default: a registry is polled
     * unless it is named here.
     */
    Optional<List<String>> webhookRegistries();

    /** Between two checks of a tag on a registry that sends webhooks ({@code CASCADE_WATCH_WEBHOOK_INTERVAL}). */
    @WithDefault("6h")
    Duration webhookInterval();

    /**
     * Intervals per image pattern, {@code cascade.watch.intervals."docker.io/library/*"=30m}: a glob over the canonical
     * {@code registry/repository:tag} ({@code *} within one path segment, {@code **} across them); the longest matching
     * pattern wins. They apply to registries that send no webhooks.
     */
    Map<String, Duration> intervals();

    /** How far a check's time is moved at random, as a fraction of its interval (0.1: ±10 %). */
    @WithDefault("0.1")
    double jitter();

    /**
     * Requests per hour per registry, {@code cascade.watch.budgets."docker.io"=600}; registries not named here have the
     * built-in budget of their registry ({@link WatchBudgets}) or {@link #defaultBudget()}.
     */
    Map<String, Integer> budgets();

    /** Requests per hour to a registry that has no budget of its own. */
    @WithDefault("3600")
    int defaultBudget();

    /** How many minutes' share of the hourly budget may go out within one minute: checks are spread, not bunched. */
    @WithDefault("5")
    int burstMinutes();

    /** The first wait after a registry failed (5xx, unreachable, refused credentials); doubled per failure in a row. */
    @WithDefault("30s")
    Duration backoff();

    /** The longest wait after failures, and the wait after a tag was refused (403). */
    @WithDefault("1h")
    Duration maxBackoff();

    /** How often an instance claims the tags that are due. */
    @WithDefault("2s")
    Duration tick();

    /** How long a claimed check stays with its instance; longer than any one check takes. */
    @WithDefault("2m")
    Duration lease();

    /** Checks one instance runs at once. */
    @WithDefault("4")
    int concurrency();

    /** How often the watched set is computed again from the configs and the graph. */
    @WithDefault("30s")
    Duration refresh();

    /** How often deploy-service is asked which images its workloads follow. */
    @WithDefault("5m")
    Duration workloadsRefresh();
}
