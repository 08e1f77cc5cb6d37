package dev.cascade.trigger.pipeline;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads the pipeline view: pipelines by filter, and one pipeline with all its nodes. */
@ApplicationScoped
public class Pipelines {

    /** One pipeline with every node of its tree, and which node each applied event belongs to. */
    public record Snapshot(Pipeline pipeline, List<PipelineNode> nodes, Map<UUID, Long> nodeOfEvent) {
    }

    /**
     * What to list. Null fields do not filter; an image matches by tagged name, or by name and digest.
     *
     * @param since inclusive, on the creation time
     * @param until exclusive, on the creation time
     */
    public record Filter(String repository, String image, String imageName, String digest, String status,
                         OffsetDateTime since, OffsetDateTime until, int limit) {
    }

    /** How many nodes of one kind are in one status. */
    public record NodeCount(String kind, String status, long count) {
    }

    /** A listed pipeline with the counts of its nodes. */
    public record Listed(Pipeline pipeline, List<NodeCount> counts) {
    }

    private final Vertx vertx;

    public Pipelines(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Pipelines matching the filter, newest first. */
    public Uni<List<Listed>> list(Filter f) {
        StringBuilder q = new StringBuilder("from Pipeline p where 1 = 1");
        Parameters params = new Parameters();
        if (f.repository() != null) {
            q.append(" and p.repository = :repository");
            params.and("repository", f.repository());
        }
        if (f.status() != null) {
            q.append(" and p.status = :status");
            params.and("status", f.status());
        }
        if (f.since() != null) {
            q.append(" and p.createdAt >= :since");
            params.and("since", f.since());
        }
        if (f.until() != null) {
            q.append(" and p.createdAt < :until");
            params.and("until", f.until());
        }
        if (f.image() != null) {
            q.append(" and (p.image = :image or exists (select 1 from PipelineNode n where n.pipelineId = p.id and n.image = :image))");
            params.and("image", f.image());
        }
        if (f.digest() != null) {
            q.append(" and exists (select 1 from PipelineNode n where n.pipelineId = p.id and n.imageName = :imageName and n.digest = :digest)");
            params.and("imageName", f.imageName()).and("digest", f.digest());
        }
        q.append(" order by p.createdAt desc, p.id desc");
        return Panache.withSession(() -> Pipeline.<Pipeline>find(q.toString(), params)
                .page(0, f.limit()).list()
                .chain(pipelines -> pipelines.isEmpty()
                        ? Uni.createFrom().item(List.<Listed>of())
                        : counts(pipelines.stream().map(x -> x.id).toList())
                                .map(counts -> pipelines.stream()
                                        .map(x -> new Listed(x, counts.getOrDefault(x.id, List.of())))
                                        .toList())));
    }

    private static Uni<Map<UUID, List<NodeCount>>> counts(List<UUID> ids) {
        return Panache.getSession().chain(s -> s.createSelectionQuery("""
                                select n.pipelineId, n.kind, n.status, count(n) from PipelineNode n
                                where n.pipelineId in (:ids) group by n.pipelineId, n.kind, n.status""", Object[].class)
                        .setParameter("ids", ids)
                        .getResultList())
                .map(rows -> {
                    Map<UUID, List<NodeCount>> byPipeline = new HashMap<>();
                    for (Object[] r : rows) {
                        byPipeline.computeIfAbsent((UUID) r[0], id -> new java.util.ArrayList<>())
                                .add(new NodeCount((String) r[1], (String) r[2], ((Number) r[3]).longValue()));
                    }
                    return byPipeline;
                });
    }

    /** The pipeline with all its nodes; an item of null when no event of it has been seen. */
    public Uni<Snapshot> snapshot(UUID id) {
        return Panache.withSession(() -> Pipeline.<Pipeline>findById(id)
                .chain(pipeline -> pipeline == null
                        ? Uni.createFrom().<Snapshot>nullItem()
                        : PipelineNode.<PipelineNode>list("pipelineId = ?1 order by revision", id)
                                .chain(nodes -> PipelineEvent.<PipelineEvent>list("pipelineId", id)
                                        .map(events -> {
                                            Map<UUID, Long> nodeOfEvent = new HashMap<>();
                                            events.forEach(e -> nodeOfEvent.put(e.eventId, e.nodeId));
                                            return new Snapshot(pipeline, nodes, nodeOfEvent);
                                        }))));
    }

    /**
     * {@link #snapshot} from any thread, e.g. a notification's: Hibernate Reactive needs a safe duplicated
     * Vert.x context, which a request has and a notification does not, so the read runs on a fresh one.
     */
    public Uni<Snapshot> snapshotFromAnyThread(UUID id) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().emitter(em -> context.runOnContext(v -> snapshot(id).subscribe().with(em::complete, em::fail)));
    }
}
