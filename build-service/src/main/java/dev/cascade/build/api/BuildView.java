package dev.cascade.build.api;

import dev.cascade.build.queue.Build;
import dev.cascade.build.queue.BuildColumns;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** REST view of a build (without its log, which has its own endpoint). */
public record BuildView(UUID id, String config, int number, String status, String reason, String ref, String commit, String image,
                        String digest, Map<String, String> baseDigests, UUID pipelineId, UUID causationId, int attempt,
                        OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt, java.util.List<String> after,
                        String queueClass) {

    public static BuildView of(Build b) {
        return new BuildView(b.id, b.config, b.number, b.status.name().toLowerCase(), b.reason, b.ref, b.commit, b.image, b.digest,
                BuildColumns.baseDigests(b.baseDigests), b.pipelineId, b.causationId, b.attempt, b.createdAt, b.startedAt, b.finishedAt,
                BuildColumns.after(b.afterConfigs), b.queueClass.wireName());
    }
}
