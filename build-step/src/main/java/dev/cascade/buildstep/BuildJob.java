package dev.cascade.buildstep;

import java.util.Map;
import java.util.UUID;

/**
 * Everything one build needs, fixed when it starts: what to fetch, how to build it, where to push. build-service
 * hands it to its local executor as it is, and to a build Job's containers as JSON.
 *
 * @param buildId        the build
 * @param config         the build config it belongs to (names and labels only)
 * @param pipelineId     the pipeline it is part of; null for a build outside any
 * @param source         the configured repository (never a URL from a webhook payload) and the paths in it
 * @param revision       the commit (or, when none is known, the ref) to build
 * @param strategy       {@code docker} (a Dockerfile) or {@code source} (Source-to-Image from a builder image)
 * @param output         the image to push, {@code registry/repository:tag}
 * @param buildArgs      {@code --build-arg} values
 * @param env            build environment (S2I: set in the image too)
 * @param timeoutSeconds how long the whole build may take
 */
public record BuildJob(UUID buildId, String config, UUID pipelineId, Source source, String revision, Strategy strategy,
                       String output, Map<String, String> buildArgs, Map<String, String> env, long timeoutSeconds) {

    public static final String DOCKER = "docker";
    public static final String SOURCE = "source";

    /** Where the code comes from: the repository and, inside it, the context dir and the Dockerfile. */
    public record Source(String repository, String contextDir, String dockerfile) {
    }

    /** How the image is built: {@link #DOCKER} or {@link #SOURCE} with its builder image. */
    public record Strategy(String type, String builderImage) {
    }

    public BuildJob {
        buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    boolean sourceToImage() {
        return SOURCE.equals(strategy.type());
    }
}
