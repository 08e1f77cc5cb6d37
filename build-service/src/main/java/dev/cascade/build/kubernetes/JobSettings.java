package dev.cascade.build.kubernetes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How builds run as Kubernetes Jobs ({@code cascade.build.executor=kubernetes}): where, from which builder image,
 * with which push credentials and resources.
 */
@ConfigMapping(prefix = "cascade.build")
public interface JobSettings {

    /** The namespace build Jobs run in; the client's namespace when not set. */
    Optional<String> namespace();

    /**
     * The image both containers of a build Job run: git, buildah and the {@code cascade-build-step} command. Pinned
     * by digest ({@code registry/repository@sha256:...}), so every build runs the same tools.
     */
    Optional<String> builderImage();

    /**
     * A {@code kubernetes.io/dockerconfigjson} Secret in the build namespace that build pods pull and push with; none
     * when the registries need no credentials.
     */
    Optional<String> registrySecret();

    /** How long a finished Job (and its pod and log) stays before Kubernetes removes it ({@code ttlSecondsAfterFinished}). */
    @WithDefault("1h")
    Duration jobTtl();

    /**
     * Whether build pods run in a user namespace of their own ({@code hostUsers: false}): root in the build
     * container is then an unprivileged user on the node. Needs Kubernetes 1.33 or later (or the feature gate).
     */
    @WithDefault("true")
    boolean podUserNamespace();

    /** CPU a build pod requests. */
    @WithDefault("500m")
    String podCpu();

    /** Memory a build pod requests and may use. */
    @WithDefault("2Gi")
    String podMemory();
}
