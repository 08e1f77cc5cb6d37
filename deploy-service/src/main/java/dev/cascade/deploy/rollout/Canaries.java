package dev.cascade.deploy.rollout;

import dev.cascade.deploy.kube.WorkloadView;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The canary rules that need no I/O: which workloads are canaries, how long they soak, and whether one is healthy. */
public final class Canaries {

    /** {@code "true"} marks a workload as a canary of base-image cascades. */
    public static final String CANARY = "cascade.dev/canary";
    /** How long a canary must stay healthy after its rollout succeeded, e.g. {@code 90s} or {@code 5m}. */
    public static final String SOAK = "cascade.dev/canary-soak";

    private Canaries() {
    }

    /** The workload is a canary by its own annotation, or because its namespace is a canary namespace. */
    public static boolean isCanary(Map<String, String> annotations, boolean canaryNamespace) {
        return canaryNamespace || "true".equalsIgnoreCase(annotations.getOrDefault(CANARY, "").trim());
    }

    /** The workload's soak time: its {@code cascade.dev/canary-soak}, or {@code fallback} without one or when it cannot be read. */
    public static Duration soak(Map<String, String> annotations, Duration fallback) {
        String value = annotations.get(SOAK);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            Duration d = DurationConverter.parseDuration(value.trim());
            return d == null || d.isNegative() ? fallback : d;
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    /** Why a canary that rolled out is not healthy now (the controller gave up, or fewer replicas are available); empty when healthy. */
    public static Optional<String> unhealthy(WorkloadView w) {
        if (w.failedReason() != null) {
            return Optional.of(w.failedReason());
        }
        if (w.available() < w.desired()) {
            return Optional.of(w.available() + " of " + w.desired() + " replicas available");
        }
        return Optional.empty();
    }
}
