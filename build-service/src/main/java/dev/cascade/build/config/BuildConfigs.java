package dev.cascade.build.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.image.RegistryAliases;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Build config specs in and out of storage: a spec as users wrote it is given its defaults and checked, and a
 * stored config's spec is read back. Saving a config also reads its Dockerfile and checks the dependency graph,
 * which {@code graph.ConfigSaver} does.
 */
@ApplicationScoped
public class BuildConfigs {

    private final ObjectMapper json;
    private final RegistryAliases aliases;

    public BuildConfigs(ObjectMapper json, RegistryAliases aliases) {
        this.json = json;
        this.aliases = aliases;
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

    /** The spec a stored config was saved with. */
    public BuildConfigSpec read(BuildConfig c) {
        try {
            return json.readValue(c.spec, BuildConfigSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored spec of " + c.name + " is unreadable", e);
        }
    }

    /** The run policy of a stored config; Serial when its spec names none this service knows. */
    public RunPolicy runPolicy(BuildConfig c) {
        return RunPolicy.fromWire(read(c).runPolicy()).orElse(RunPolicy.SERIAL);
    }

    /** A spec as it is stored in {@link BuildConfig#spec}. */
    public String write(BuildConfigSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
