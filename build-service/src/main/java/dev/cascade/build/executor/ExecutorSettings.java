package dev.cascade.build.executor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How builds run: where their workspaces and buildah's storage are, and how registries are reached. The queue's and
 * the cascades' settings share the {@code cascade.build} prefix ({@code QueueSettings}, {@code CascadeSettings}).
 */
@ConfigMapping(prefix = "cascade.build")
public interface ExecutorSettings {

    /** Workspaces of running builds; each is removed when its build ends. */
    @WithDefault("${java.io.tmpdir}/cascade-builds")
    Path workDir();

    /** buildah's image storage (vfs), shared by builds so base layers are pulled once. */
    @WithDefault("${java.io.tmpdir}/cascade-buildah")
    Path storageRoot();

    /** Registries spoken to over plain HTTP or with unverified TLS (host or host:port), comma-separated. */
    @WithDefault("localhost,127.0.0.1")
    String insecureRegistries();

    /** Push credentials, {@code registry=user:password,...}. */
    Optional<String> registryCredentials();

    /** Attempts of a push that fails for a transient reason. */
    @WithDefault("3")
    int pushAttempts();
}
