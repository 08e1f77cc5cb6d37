package dev.cascade.build.graph;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.ConfigConflictException;
import dev.cascade.build.config.InvalidConfigException;
import dev.cascade.common.git.GitRepository;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * Creates and replaces build configs as nodes of the dependency graph: a config that builds on its own output,
 * shares its output with another config, or would close a cycle through the graph is refused before it is stored.
 */
@ApplicationScoped
public class ConfigSaver {

    private final BuildConfigs configs;
    private final DependencyGraph graph;
    private final RegistryAliases aliases;

    public ConfigSaver(BuildConfigs configs, DependencyGraph graph, RegistryAliases aliases) {
        this.configs = configs;
        this.graph = graph;
        this.aliases = aliases;
    }

    /**
     * Creates or replaces a config, with the base images it builds on as its inputs; runs in the caller's transaction.
     *
     * @param spec      a normalised spec ({@link BuildConfigs#normalise})
     * @param inputs    the base images it builds on, as far as they are known
     * @param mustBeNew whether a config of that name is a conflict
     */
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
                                c.spec = configs.write(spec);
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
}
