package dev.cascade.build.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A build configuration as users write it, in JSON over REST or in YAML kept in git. What is left out
 * takes the defaults of {@link #withDefaults()}.
 *
 * @param name       DNS-1123 label naming the config
 * @param source     where the code comes from
 * @param strategy   {@code docker} (a Dockerfile) or {@code source} (Source-to-Image with a builder image)
 * @param output     the image to push, {@code registry/repository:tag}
 * @param buildArgs  {@code --build-arg} values (they also fill {@code ARG} defaults in FROM lines)
 * @param env        environment for the build (S2I: set in the image too)
 * @param triggers   what starts a build besides a manual request
 * @param runPolicy  {@code Serial}, {@code Parallel} or {@code SerialLatestOnly}
 * @param timeoutSeconds how long one build may run
 * @param history    how many finished builds to keep
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public record BuildConfigSpec(
        String name,
        Source source,
        Strategy strategy,
        String output,
        Map<String, String> buildArgs,
        Map<String, String> env,
        Triggers triggers,
        String runPolicy,
        Integer timeoutSeconds,
        History history) {

    /** Git source of a build. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String repository, String branch, String contextDir, String dockerfile) {
    }

    /** How the image is built. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Strategy(String type, String builderImage) {
    }

    /** Automatic triggers. */
    public record Triggers(Boolean gitPush, Boolean baseImageChange) {
    }

    /** Finished builds kept per config. */
    public record History(Integer successful, Integer failed) {
    }

    public static final String DOCKER = "docker";
    public static final String SOURCE = "source";

    /** The same spec with every omitted field at its default. */
    public BuildConfigSpec withDefaults() {
        Source s = source == null ? new Source(null, null, null, null) : source;
        Strategy st = strategy == null ? new Strategy(DOCKER, null) : strategy;
        Triggers t = triggers == null ? new Triggers(true, true) : triggers;
        History h = history == null ? new History(5, 5) : history;
        return new BuildConfigSpec(name,
                new Source(s.repository(), s.branch() == null ? "main" : s.branch(), s.contextDir() == null ? "." : s.contextDir(),
                        s.dockerfile() == null ? "Dockerfile" : s.dockerfile()),
                new Strategy(st.type() == null ? DOCKER : st.type(), st.builderImage()),
                output,
                buildArgs == null ? Map.of() : buildArgs,
                env == null ? Map.of() : env,
                new Triggers(t.gitPush() == null || t.gitPush(), t.baseImageChange() == null || t.baseImageChange()),
                runPolicy == null ? RunPolicy.SERIAL.wireName() : runPolicy,
                timeoutSeconds == null ? 900 : timeoutSeconds,
                new History(h.successful() == null ? 5 : h.successful(), h.failed() == null ? 5 : h.failed()));
    }
}
