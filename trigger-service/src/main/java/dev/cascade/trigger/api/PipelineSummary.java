package dev.cascade.trigger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cascade.trigger.pipeline.Pipeline;
import dev.cascade.trigger.pipeline.PipelineNode;
import dev.cascade.trigger.pipeline.Pipelines;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A pipeline as the list shows it.
 *
 * @param status   {@code running}, {@code succeeded} or {@code failed}
 * @param revision the pipeline's latest revision
 * @param counts   for {@code builds}, {@code images} and {@code rollouts}: how many are in each status
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineSummary(UUID id, TriggerView trigger, String status, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                              OffsetDateTime finishedAt, long revision, Map<String, Map<String, Long>> counts) {

    static PipelineSummary of(Pipeline p, List<Pipelines.NodeCount> counts) {
        return new PipelineSummary(p.id, TriggerView.of(p), p.status, p.createdAt, p.updatedAt, p.finishedAt, p.revision,
                countsOf(counts));
    }

    static PipelineSummary of(Pipelines.Snapshot s) {
        Map<List<String>, Long> byKindAndStatus = new LinkedHashMap<>();
        s.nodes().forEach(n -> byKindAndStatus.merge(List.of(n.kind, n.status), 1L, Long::sum));
        List<Pipelines.NodeCount> counts = byKindAndStatus.entrySet().stream()
                .map(e -> new Pipelines.NodeCount(e.getKey().get(0), e.getKey().get(1), e.getValue()))
                .toList();
        return of(s.pipeline(), counts);
    }

    private static Map<String, Map<String, Long>> countsOf(List<Pipelines.NodeCount> counts) {
        Map<String, Map<String, Long>> byKind = new LinkedHashMap<>();
        byKind.put("builds", new TreeMap<>());
        byKind.put("images", new TreeMap<>());
        byKind.put("rollouts", new TreeMap<>());
        for (Pipelines.NodeCount c : counts) {
            String group = switch (c.kind()) {
                case PipelineNode.BUILD -> "builds";
                case PipelineNode.IMAGE -> "images";
                case PipelineNode.ROLLOUT -> "rollouts";
                default -> null;
            };
            if (group != null) {
                byKind.get(group).merge(c.status(), c.count(), Long::sum);
            }
        }
        return byKind;
    }
}
