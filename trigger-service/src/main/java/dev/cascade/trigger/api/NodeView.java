package dev.cascade.trigger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cascade.trigger.pipeline.PipelineNode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One node of a pipeline's tree: a git push ({@code source}), an image push, a build or a rollout.
 *
 * @param id          the node's own id: the event id of a push, the build id, the rollout id
 * @param parentId    the id of the node it hangs under (null for the root)
 * @param eventId     the event that created the node
 * @param causationId that event's causation: the event of the parent node
 * @param revision    the pipeline revision of the node's last change (the SSE event id)
 * @param at          when the node's first event happened
 * @param durationMs  from start (or queueing) to end, once ended
 * @param fields      what the node's events said, by kind
 * @param children    the nodes it caused (in the tree only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeView(String id, String kind, String name, String status, String parentId, UUID eventId, UUID causationId,
                       long revision, OffsetDateTime at, OffsetDateTime queuedAt, OffsetDateTime startedAt,
                       OffsetDateTime finishedAt, Long durationMs, Map<String, Object> fields, List<NodeView> children) {

    static NodeView of(PipelineNode n, String parentId, List<NodeView> children) {
        OffsetDateTime start = n.startedAt != null ? n.startedAt : n.queuedAt;
        Long duration = start != null && n.finishedAt != null ? Duration.between(start, n.finishedAt).toMillis() : null;
        return new NodeView(n.key, n.kind, n.name, n.status, parentId, n.eventId, n.parentEventId, n.revision, n.at,
                n.queuedAt, n.startedAt, n.finishedAt, duration, fields(n), children);
    }

    /** Stands in for a root whose event has not been seen, so that the nodes it caused still have a place. */
    static NodeView unseenRoot(UUID pipelineId, List<NodeView> children) {
        return new NodeView(pipelineId.toString(), "unknown", "root event not seen yet", "unseen", null, pipelineId, null, 0,
                null, null, null, null, null, Map.of(), children);
    }

    private static Map<String, Object> fields(PipelineNode n) {
        Map<String, Object> f = new LinkedHashMap<>();
        switch (n.kind) {
            case PipelineNode.SOURCE -> {
                put(f, "repository", n.repository);
                put(f, "ref", n.gitRef);
                put(f, "commit", n.gitCommit);
                put(f, "sender", n.sender);
            }
            case PipelineNode.IMAGE -> {
                put(f, "image", n.image);
                put(f, "digest", n.digest);
                put(f, "mediaType", n.mediaType);
                put(f, "sender", n.sender);
            }
            case PipelineNode.BUILD -> {
                put(f, "buildId", n.key);
                put(f, "config", n.name.replaceFirst(" #\\d+$", ""));
                put(f, "number", n.buildNumber);
                put(f, "commit", n.gitCommit);
                put(f, "image", n.image);
                put(f, "digest", n.digest);
                put(f, "after", n.afterConfigs == null ? List.of() : Arrays.asList(n.afterConfigs.split(",")));
                put(f, "reason", n.reason);
            }
            case PipelineNode.ROLLOUT -> {
                put(f, "rolloutId", n.key);
                put(f, "namespace", n.namespace);
                put(f, "workloadKind", n.workloadKind);
                put(f, "workload", n.workloadName);
                put(f, "container", n.container);
                put(f, "image", n.image);
                put(f, "previousImage", n.previousImage);
                put(f, "reason", n.reason);
            }
            default -> {
            }
        }
        return f;
    }

    private static void put(Map<String, Object> fields, String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
