package dev.cascade.build.executor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** Executor configuration: where builds run, how many at once, and how registries are reached. */
@ConfigMapping(prefix = "cascade.build")
public interface BuildSettings {

    /** Workspaces of running builds; each is removed when its build ends. */
    @WithDefault("${java.io.tmpdir}/cascade-builds")
    Path workDir();

    /** buildah's image storage (vfs), shared by builds so base layers are pulled once. */
    @WithDefault("${java.io.tmpdir}/cascade-buildah")
    Path storageRoot();

    /** Where logs of running builds are written; they move to the database when the build ends. */
    @WithDefault("${java.io.tmpdir}/cascade-build-logs")
    Path logDir();

    /** Builds running at once across all configs. */
    @WithDefault("2")
    int concurrency();

    /** Registries spoken to over plain HTTP or with unverified TLS (host or host:port), comma-separated. */
    @WithDefault("localhost,127.0.0.1")
    String insecureRegistries();

    /** Push credentials, {@code registry=user:password,...}. */
    Optional<String> registryCredentials();

    /**
     * How long pushes of one base image tag are gathered into one cascade: the cascade is planned this long
     * after the first push, on the latest digest. Zero plans each push at once.
     */
    @WithDefault("5s")
    java.time.Duration coalesceWindow();

    /** Attempts of a push that fails for a transient reason. */
    @WithDefault("3")
    int pushAttempts();

    /**
     * How long a started build stays with the instance running it unless that instance renews the lease (it does so
     * three times a lease while it runs the build). A build whose lease ran out is queued again.
     */
    @WithDefault("30s")
    java.time.Duration lease();
}
