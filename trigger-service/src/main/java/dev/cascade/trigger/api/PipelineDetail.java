package dev.cascade.trigger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cascade.trigger.pipeline.Pipelines;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** One pipeline with its whole causal tree: root trigger, the builds it caused, their images, their rollouts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineDetail(UUID id, TriggerView trigger, String status, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                             OffsetDateTime finishedAt, long revision, Map<String, Map<String, Long>> counts, NodeView root) {

    static PipelineDetail of(Pipelines.Snapshot s) {
        PipelineSummary summary = PipelineSummary.of(s);
        return new PipelineDetail(summary.id(), summary.trigger(), summary.status(), summary.createdAt(), summary.updatedAt(),
                summary.finishedAt(), summary.revision(), summary.counts(), new PipelineTree(s).root());
    }
}
