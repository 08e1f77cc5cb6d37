package dev.cascade.trigger.pipeline;

import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.RolloutStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.OffsetDateTime;
import java.util.List;

/** A pipeline's status, derived from its nodes each time one of them changes. */
final class PipelineStatus {

    private PipelineStatus() {
    }

    /**
     * Derives the pipeline's status from its nodes: running while a build is queued or started, a rollout has not
     * ended, or the view has a gap: the image a succeeded build pushed has not been seen yet, or an image has been
     * seen before the build event that caused it (build-service publishes the two together, on two topics that the
     * view reads apart, so either may come first; an image published before, in any pipeline, is not awaited, since
     * it is not published twice), or a build waits for a config ({@code after}) whose build in this pipeline has not
     * been seen yet (each config's events travel in their own partition, so a later wave's events may be read first,
     * for instance while the view catches up after a restart); then failed if a build failed or a rollout failed or was rolled back; succeeded
     * otherwise. A rollout waiting for its cascade's canaries keeps the pipeline running; one that a failed canary holds makes it
     * held, before anything else, since it waits for a person (resume or abort, deploy-service).
     * Skipped and cancelled builds fail nothing by themselves: a skipped build's failed cause does.
     */
    static Uni<Void> refresh(Pipeline pipeline, boolean rowChanged) {
        return Panache.flush()
                .chain(() -> Panache.getSession())
                .chain(s -> s.createSelectionQuery("""
                                select n.kind, n.status, count(n), max(coalesce(n.finishedAt, n.at))
                                from PipelineNode n where n.pipelineId = ?1 group by n.kind, n.status""", Object[].class)
                        .setParameter(1, pipeline.id)
                        .getResultList()
                        .chain(rows -> s.createNativeQuery("""
                                        SELECT (SELECT count(*) FROM pipeline_node b
                                                WHERE b.pipeline_id = ?1 AND b.kind = 'build' AND b.status = 'succeeded'
                                                  AND b.image IS NOT NULL AND b.digest IS NOT NULL
                                                  AND NOT EXISTS (SELECT 1 FROM pipeline_node i
                                                                  WHERE i.kind = 'image' AND i.image = b.image AND i.digest = b.digest))
                                             + (SELECT count(*) FROM pipeline_node i
                                                WHERE i.pipeline_id = ?1 AND i.kind = 'image' AND i.parent_event_id <> ?1
                                                  AND NOT EXISTS (SELECT 1 FROM pipeline_event e WHERE e.event_id = i.parent_event_id))
                                             + (SELECT count(*) FROM pipeline_node b
                                                CROSS JOIN LATERAL unnest(string_to_array(b.after_configs, ',')) AS awaited(config)
                                                WHERE b.pipeline_id = ?1 AND b.kind = 'build'
                                                  AND NOT EXISTS (SELECT 1 FROM pipeline_node a
                                                                  WHERE a.pipeline_id = ?1 AND a.kind = 'build' AND a.config = awaited.config))""",
                                        Long.class)
                                .setParameter(1, pipeline.id)
                                .getSingleResult()
                                .map(gaps -> {
                                    derive(pipeline, rows, gaps > 0, rowChanged);
                                    return null;
                                })))
                .replaceWithVoid();
    }

    private static void derive(Pipeline pipeline, List<Object[]> rows, boolean gaps, boolean rowChanged) {
        boolean running = gaps;
        boolean failed = false;
        boolean held = false;
        OffsetDateTime lastEnd = null;
        for (Object[] row : rows) {
            String kind = (String) row[0];
            String status = (String) row[1];
            OffsetDateTime end = (OffsetDateTime) row[3];
            if (end != null && (lastEnd == null || end.isAfter(lastEnd))) {
                lastEnd = end;
            }
            if (PipelineNode.BUILD.equals(kind)) {
                running |= status.equals(NodeStatuses.of(BuildStatus.QUEUED)) || status.equals(NodeStatuses.of(BuildStatus.STARTED));
                failed |= status.equals(NodeStatuses.of(BuildStatus.FAILED));
            } else if (PipelineNode.ROLLOUT.equals(kind)) {
                running |= status.equals(NodeStatuses.of(RolloutStatus.STARTED)) || status.equals(NodeStatuses.of(RolloutStatus.WAITING));
                held |= status.equals(NodeStatuses.of(RolloutStatus.HELD));
                failed |= status.equals(NodeStatuses.of(RolloutStatus.FAILED)) || status.equals(NodeStatuses.of(RolloutStatus.ROLLEDBACK));
            }
        }
        String status = held ? Pipeline.HELD : running ? Pipeline.RUNNING : failed ? Pipeline.FAILED : Pipeline.SUCCEEDED;
        boolean statusChanged = !status.equals(pipeline.status);
        if (statusChanged) {
            pipeline.status = status;
            pipeline.finishedAt = running || held ? null : lastEnd;
        }
        if (statusChanged || rowChanged || pipeline.statusRevision == 0) {
            pipeline.statusRevision = pipeline.nextRevision();
        }
        pipeline.updatedAt = OffsetDateTime.now();
    }
}
