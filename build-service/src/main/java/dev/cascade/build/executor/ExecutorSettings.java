package dev.cascade.build.executor;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How builds run: on this machine or as Kubernetes Jobs, where the local executor keeps workspaces and buildah's
 * storage, and how registries are reached. The queue's, the cascades' and the Jobs' settings share the
 * {@code cascade.build} prefix ({@code QueueSettings}, {@code CascadeSettings}, {@code JobSettings}).
 */
@ConfigMapping(prefix = "cascade.build")
public interface ExecutorSettings {

    /** Where builds run. */
    enum Kind {
        /** buildah child processes of this build-service instance */
        LOCAL,
        /** one {@code batch/v1} Job per build in the build namespace */
        KUBERNETES
    }

    /** {@code local} (the default) or {@code kubernetes}. */
    @WithDefault("local")
    Kind executor();

    /** Workspaces of running builds (local executor); each is removed when its build ends. */
    @WithDefault("${java.io.tmpdir}/cascade-builds")
    Path workDir();

    /** buildah's image storage (vfs) for the local executor, shared by builds so base layers are pulled once. */
    @WithDefault("${java.io.tmpdir}/cascade-buildah")
    Path storageRoot();

    /**
     * The free space a build needs on the disks of the workspaces, buildah's storage and the logs before it starts
     * ({@code CASCADE_BUILD_MIN_FREE_SPACE}); below it the build fails with the reason ({@link FreeSpace}).
     */
    @WithDefault("1G")
    MemorySize minFreeSpace();

    /** Registries spoken to over plain HTTP or with unverified TLS (host or host:port), comma-separated. */
    @WithDefault("localhost,127.0.0.1")
    String insecureRegistries();

    /** Push credentials of the local executor, {@code registry=user:password,...}. */
    Optional<String> registryCredentials();

    /** Attempts of a push that fails for a transient reason. */
    @WithDefault("3")
    int pushAttempts();
}
