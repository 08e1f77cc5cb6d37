package dev.cascade.build.source;

import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.InvalidConfigException;
import dev.cascade.buildstep.source.CheckoutPaths;
import dev.cascade.buildstep.source.DockerfileBases;
import dev.cascade.buildstep.source.GitCheckout;
import dev.cascade.buildstep.source.Workspaces;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Learns the base images a config builds on before it is saved, from its configured branch, so that the graph
 * knows its edges (and can refuse a cycle) before the config's first build.
 */
@ApplicationScoped
public class BaseImageReader {

    private final RegistryAliases aliases;
    private final Vertx vertx;

    public BaseImageReader(RegistryAliases aliases, Vertx vertx) {
        this.aliases = aliases;
        this.vertx = vertx;
    }

    /** The base images a spec builds on, read from its branch (the builder image for S2I); blocking work on a worker. */
    public Uni<Set<String>> inputsOf(BuildConfigSpec spec) {
        if (BuildConfigSpec.SOURCE.equals(spec.strategy().type())) {
            return Uni.createFrom().item(Set.of(ImageRef.parse(spec.strategy().builderImage(), aliases).withoutDigest().toString()));
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> readDockerfileBases(spec)), false);
    }

    private Set<String> readDockerfileBases(BuildConfigSpec spec) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cascade-config-");
            Path checkout = dir.resolve("src");
            GitCheckout.checkout(spec.source().repository(), spec.source().branch(), checkout, Duration.ofMinutes(2),
                    OutputStream.nullOutputStream(), p -> { }, () -> false);
            CheckoutPaths.DockerBuild docker;
            try {
                docker = CheckoutPaths.dockerBuild(checkout, spec.source().contextDir(), spec.source().dockerfile());
            } catch (CheckoutPaths.Refused e) {
                throw new InvalidConfigException(e.field(), e.reason() + " (branch " + spec.source().branch() + ")");
            }
            if (docker.dockerfile() == null) {
                throw new InvalidConfigException("source.dockerfile", "no Dockerfile at " + spec.source().dockerfile()
                        + " in branch " + spec.source().branch());
            }
            Set<String> images = new LinkedHashSet<>();
            DockerfileBases.parse(Files.readString(docker.dockerfile()), spec.buildArgs(), aliases)
                    .forEach(b -> images.add(b.image().withoutDigest().toString()));
            return images;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("source.dockerfile", e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidConfigException ice) {
                throw ice;
            }
            // an unreachable repository does not block the config: the graph is learned at its first build
            Log.warnf("could not read the Dockerfile of %s yet: %s", spec.name(), e.getMessage());
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        } finally {
            Workspaces.deleteTree(dir);
        }
    }
}
