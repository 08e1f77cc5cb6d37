package dev.cascade.trigger.api;

import dev.cascade.trigger.pipeline.PipelineNode;
import dev.cascade.trigger.pipeline.Pipelines;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A pipeline's nodes arranged by causation: each node under the node of the event that caused its first
 * event. A node whose cause is not in the view (not seen yet, or no event at all) hangs under the root.
 */
final class PipelineTree {

    private final UUID pipelineId;
    private final List<PipelineNode> nodes;
    private final Map<UUID, Long> nodeOfEvent;
    private final Map<Long, PipelineNode> byId = new HashMap<>();
    private final PipelineNode root;

    PipelineTree(Pipelines.Snapshot snapshot) {
        this.pipelineId = snapshot.pipeline().id;
        this.nodes = snapshot.nodes().stream()
                .sorted(Comparator.comparing((PipelineNode n) -> n.at).thenComparing(n -> n.id))
                .toList();
        this.nodeOfEvent = snapshot.nodeOfEvent();
        nodes.forEach(n -> byId.put(n.id, n));
        Long rootId = snapshot.pipeline().rootNodeId;
        this.root = rootId == null ? null : byId.get(rootId);
    }

    /** The id of the node {@code n} hangs under; null for the root. */
    String parentIdOf(PipelineNode n) {
        if (n == root) {
            return null;
        }
        PipelineNode parent = parentOf(n);
        return parent != null ? parent.key : pipelineId.toString(); // under the stand-in for an unseen root
    }

    /** One node without its children, as a live update sends it. */
    NodeView node(PipelineNode n) {
        return NodeView.of(n, parentIdOf(n), null);
    }

    /** The whole tree from its root. */
    NodeView root() {
        Map<PipelineNode, List<PipelineNode>> children = new IdentityHashMap<>();
        List<PipelineNode> underRoot = new ArrayList<>();
        for (PipelineNode n : nodes) {
            if (n == root) {
                continue;
            }
            PipelineNode parent = parentOf(n);
            if (parent == null || parent == root) {
                underRoot.add(n);
            } else {
                children.computeIfAbsent(parent, p -> new ArrayList<>()).add(n);
            }
        }
        // causes are acyclic, but a view built from arbitrary input must not loop: what the root cannot reach hangs under it
        Set<PipelineNode> reached = reachable(underRoot, children);
        nodes.stream().filter(n -> n != root && !reached.contains(n)).forEach(n -> {
            underRoot.add(n);
            reached.addAll(reachable(List.of(n), children));
        });
        List<NodeView> top = underRoot.stream().map(n -> build(n, children, identitySet())).toList();
        return root != null ? NodeView.of(root, null, top) : NodeView.unseenRoot(pipelineId, top);
    }

    private NodeView build(PipelineNode n, Map<PipelineNode, List<PipelineNode>> children, Set<PipelineNode> onPath) {
        onPath.add(n);
        List<NodeView> below = children.getOrDefault(n, List.of()).stream()
                .filter(c -> !onPath.contains(c))
                .map(c -> build(c, children, onPath))
                .toList();
        onPath.remove(n);
        return NodeView.of(n, parentIdOf(n), below);
    }

    private PipelineNode parentOf(PipelineNode n) {
        Long parentId = nodeOfEvent.get(n.parentEventId);
        PipelineNode parent = parentId == null ? null : byId.get(parentId);
        return parent == n ? null : parent;
    }

    private static Set<PipelineNode> reachable(List<PipelineNode> from, Map<PipelineNode, List<PipelineNode>> children) {
        Set<PipelineNode> seen = identitySet();
        Deque<PipelineNode> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            PipelineNode n = todo.pop();
            if (seen.add(n)) {
                todo.addAll(children.getOrDefault(n, List.of()));
            }
        }
        return seen;
    }

    private static Set<PipelineNode> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
