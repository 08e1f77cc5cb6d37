package dev.cascade.build.watch;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/** How often a tag is checked: the safety net's interval on registries that send webhooks, else the polling interval. */
@ApplicationScoped
class Intervals {

    private record Rule(String pattern, PathMatcher matcher, Duration interval) {
    }

    private final Duration polling;
    private final Duration safetyNet;
    private final Set<String> webhookRegistries;
    private final List<Rule> rules = new ArrayList<>();
    private final double jitter;

    Intervals(WatchSettings settings) {
        this.polling = settings.interval();
        this.safetyNet = settings.webhookInterval();
        this.webhookRegistries = settings.webhookRegistries().orElse(List.of()).stream()
                .map(r -> r.trim().toLowerCase(Locale.ROOT)).filter(r -> !r.isEmpty()).collect(Collectors.toSet());
        settings.intervals().forEach((pattern, interval) -> rules.add(new Rule(pattern,
                FileSystems.getDefault().getPathMatcher("glob:" + pattern), interval)));
        rules.sort(Comparator.comparingInt((Rule r) -> r.pattern().length()).reversed());
        this.jitter = Math.max(0, Math.min(0.5, settings.jitter()));
    }

    /** Whether the registry is configured as sending webhooks. */
    boolean webhooks(String registry) {
        return webhookRegistries.contains(registry);
    }

    /** The interval between two checks of {@code image} ({@code registry/repository:tag}). */
    Duration of(String registry, String image) {
        if (webhooks(registry)) {
            return safetyNet;
        }
        Path path = Path.of(image);
        for (Rule rule : rules) {
            if (rule.matcher().matches(path)) {
                return rule.interval();
            }
        }
        return polling;
    }

    /** The interval moved at random by up to the jitter either way, so that tags watched together drift apart. */
    Duration jittered(Duration interval) {
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }
}
