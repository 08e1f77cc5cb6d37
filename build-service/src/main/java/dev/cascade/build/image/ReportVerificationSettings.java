package dev.cascade.build.image;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;

/**
 * Whether a registry's report of a push is confirmed with the registry before build-service acts on it, and for how long
 * a report the registry cannot be asked about is tried again. Beside the {@code registry} module's mapping of the same
 * prefix (endpoints, credentials, aliases), which says how registries are asked.
 */
@ConfigMapping(prefix = "cascade.registry")
public interface ReportVerificationSettings {

    /** Reports are confirmed with their registry ({@code CASCADE_REGISTRY_VERIFY_REPORTS}); on unless turned off. */
    @WithName("verify-reports")
    @WithDefault("true")
    boolean verifyReports();

    /**
     * Per registry, over {@link #verifyReports()}: {@code cascade.registry.verify."registry.example.com"=false} for a
     * registry Cascade cannot reach. Keys are registry names, aliases allowed.
     */
    Map<String, Boolean> verify();

    /** How long a report whose registry cannot be asked (unreachable, 5xx, throttled) is tried again before it is refused. */
    @WithName("verify-timeout")
    @WithDefault("5m")
    Duration verifyTimeout();
}
