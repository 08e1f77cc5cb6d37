package dev.cascade.build.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.executor.BuildahExecutor;
import dev.cascade.build.executor.CheckoutPaths;
import dev.cascade.build.executor.GitCheckout;
import dev.cascade.build.graph.DependencyGraph;
import dev.cascade.build.graph.DockerfileBases;
import dev.cascade.common.git.GitRepository;
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
import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates, changes and removes build configs. Before a config is stored, its Dockerfile is read from the
 * configured branch to learn its base images, so a cycle through the graph is refused at once.
 */
@ApplicationScoped
public class BuildConfigs {

    private final ObjectMapper json;
    private final DependencyGraph graph;
    private final RegistryAliases aliases;
    private final Vertx vertx;

    public BuildConfigs(ObjectMapper json, DependencyGraph graph, RegistryAliases aliases,
                        Vertx vertx) {
        this.json = json;
        this.graph = graph;
        this.aliases = aliases;
        this.vertx = vertx;
    }

    /** The spec with defaults, validated; throws {@link InvalidConfigException}. */
    public BuildConfigSpec normalise(BuildConfigSpec spec) {
        if (spec == null) {
            throw new InvalidConfigException("body", "a build config is required");
        }
        BuildConfigSpec s = spec.withDefaults();
        BuildConfigValidator.validate(s, aliases);
        return s;
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
            Path dockerfile;
            try {
                Path context = CheckoutPaths.resolve(checkout, spec.source().contextDir(), "source.contextDir");
                dockerfile = CheckoutPaths.resolve(context, spec.source().dockerfile(), "source.dockerfile");
            } catch (CheckoutPaths.Refused e) {
                throw new InvalidConfigException(e.field(), e.reason() + " (branch " + spec.source().branch() + ")");
            }
            if (!Files.isRegularFile(dockerfile)) {
                throw new InvalidConfigException("source.dockerfile", "no Dockerfile at " + spec.source().dockerfile()
                        + " in branch " + spec.source().branch());
            }
            Set<String> images = new LinkedHashSet<>();
            DockerfileBases.parse(Files.readString(dockerfile), spec.buildArgs(), aliases)
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
            BuildahExecutor.deleteTree(dir);
        }
    }

    /** Creates or replaces a config; runs in the caller's transaction. */
    public Uni<BuildConfig> save(BuildConfigSpec spec, Set<String> inputs, boolean mustBeNew) {
        ImageRef output = ImageRef.parse(spec.output(), aliases);
        String outputImage = output.withoutDigest().toString();
        if (inputs.contains(outputImage)) {
            throw new InvalidConfigException("output", "cycle: " + spec.name() + " builds FROM its own output " + outputImage);
        }
        return BuildConfig.<BuildConfig>findById(spec.name())
                .chain(existing -> {
                    if (existing != null && mustBeNew) {
                        throw new ConfigConflictException("build config " + spec.name() + " exists already");
                    }
                    return BuildConfig.<BuildConfig>find("outputImage = ?1 and name <> ?2", outputImage, spec.name()).firstResult()
                            .chain(other -> {
                                if (other != null) {
                                    throw new InvalidConfigException("output", outputImage + " is already the output of build config " + other.name);
                                }
                                return graph.snapshot();
                            })
                            .chain(snapshot -> {
                                List<String> cycle = snapshot.cycleThrough(spec.name(), outputImage, inputs);
                                if (!cycle.isEmpty()) {
                                    throw new InvalidConfigException("output", "cycle through the dependency graph: " + String.join(" → ", cycle)
                                            + " (each builds FROM the next one's output)");
                                }
                                BuildConfig c = existing != null ? existing : new BuildConfig();
                                c.name = spec.name();
                                c.repository = GitRepository.parse(spec.source().repository()).canonicalUrl();
                                c.branch = spec.source().branch();
                                c.outputImage = outputImage;
                                c.strategy = spec.strategy().type();
                                c.onGitPush = spec.triggers().gitPush();
                                c.onBaseChange = spec.triggers().baseImageChange();
                                c.spec = write(spec);
                                c.updatedAt = OffsetDateTime.now();
                                if (existing == null) {
                                    c.createdAt = c.updatedAt;
                                    return c.<BuildConfig>persistAndFlush(); // the graph's rows refer to it
                                }
                                return Uni.createFrom().item(c);
                            })
                            .call(c -> inputs.isEmpty() ? Uni.createFrom().voidItem() : graph.learnInputs(c.name, inputs));
                });
    }

    public BuildConfigSpec read(BuildConfig c) {
        try {
            return json.readValue(c.spec, BuildConfigSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored spec of " + c.name + " is unreadable", e);
        }
    }

    private String write(BuildConfigSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
