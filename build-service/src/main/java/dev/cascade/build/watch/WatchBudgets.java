package dev.cascade.build.watch;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Requests per hour per registry, and the built-in budgets of public registries. A check is one {@code HEAD} of a
 * manifest, which Docker Hub does not count as a pull; the budgets stay far below each registry's published limits
 * (README, "Watching base images", has the sources).
 */
@ApplicationScoped
class WatchBudgets {

    /** Docker Hub: 10 per minute; ghcr.io: 1,000 per hour; quay.io: one every two seconds. */
    static final Map<String, Integer> PUBLIC = Map.of("docker.io", 600, "ghcr.io", 1000, "quay.io", 1800);

    private final WatchSettings settings;

    WatchBudgets(WatchSettings settings) {
        this.settings = settings;
    }

    /** Requests per hour to a registry. */
    int perHour(String registry) {
        Integer configured = settings.budgets().get(registry);
        if (configured != null) {
            return Math.max(0, configured);
        }
        return PUBLIC.getOrDefault(registry, settings.defaultBudget());
    }

    /** Requests within one minute: a few minutes' share of the hour, at least one. */
    int perMinute(String registry) {
        int hour = perHour(registry);
        return hour == 0 ? 0 : Math.max(1, (int) Math.ceil(hour / 60.0 * Math.max(1, settings.burstMinutes())));
    }
}
