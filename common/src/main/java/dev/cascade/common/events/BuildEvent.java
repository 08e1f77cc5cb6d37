package dev.cascade.common.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code cascade.build.*}: one step in the life of a build.
 *
 * @param buildId     build-service's id of the build
 * @param config      name of the build configuration; the Kafka key
 * @param status      the state the build entered
 * @param commit      the git commit built, when the build has a git source
 * @param image       the output image reference {@code registry/repository:tag}
 * @param digest      the digest pushed, once the build has succeeded
 * @param baseDigests base image reference to the digest the build used, for every FROM it resolved
 * @param reason      why the build failed, was cancelled or skipped; or what queued it
 * @param at          when the build entered this state
 * @param number      the build's number within its config (1, 2, 3 …)
 * @param after       configs whose builds in the same pipeline must succeed before this one starts
 */
public record BuildEvent(
        String buildId,
        String config,
        BuildStatus status,
        String commit,
        String image,
        String digest,
        Map<String, String> baseDigests,
        String reason,
        Instant at,
        int number,
        List<String> after) implements CascadeEvent {

    public BuildEvent {
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
        baseDigests = baseDigests == null ? Map.of() : Map.copyOf(baseDigests);
        after = after == null ? List.of() : List.copyOf(after);
    }

    /** Kafka key: every event about one build configuration stays in order. */
    @Override
    public String key() {
        return config;
    }

    @Override
    public String eventType() {
        return status.eventType();
    }

    @Override
    public String topic() {
        return Topics.BUILDS;
    }

    @Override
    public String subject() {
        return config;
    }
}
