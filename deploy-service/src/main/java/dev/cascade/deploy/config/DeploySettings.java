package dev.cascade.deploy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** deploy-service configuration, {@code cascade.deploy.*}. */
@ConfigMapping(prefix = "cascade.deploy")
public interface DeploySettings {

    /** Namespaces whose workloads are watched, comma-separated ({@code CASCADE_DEPLOY_NAMESPACES}). */
    String namespaces();

    /** How long a StatefulSet or DaemonSet rollout may take (Deployments use their progressDeadlineSeconds). */
    Duration progressDeadline();

    /**
     * How often every active rollout is looked at even when no informer reported a change of its workload: the
     * safety net for a missed notification.
     */
    @WithDefault("30s")
    Duration resync();

    /** How long canaries of a base-image cascade must stay healthy when their workload sets no {@code cascade.dev/canary-soak}. */
    @WithDefault("2m")
    Duration canarySoak();
}
