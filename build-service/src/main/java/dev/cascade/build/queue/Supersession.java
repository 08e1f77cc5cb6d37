package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A base image that changes again while its previous cascade still runs does not queue the graph twice: the newer
 * cascade's builds cancel the queued builds of the same configs in older cascades of the same image, with the reason
 * {@code superseded by pipeline …}, each with its {@code cascade.build.cancelled} event. Running builds are left to
 * end with their own result. A cancelled build's waiting dependants that the newer cascade does not rebuild are skipped
 * with the reason, as after any cancelled parent.
 *
 * <p>Only cascades of the same image: a newer cascade of another image may not rebuild what the older one's parents
 * are still rebuilding, so its build would miss their new images.
 */
@ApplicationScoped
public class Supersession {

    private final ObjectMapper json;
    private final Outbox outbox;
    private final Dependants dependants;
    private final BuildOutcomes outcomes;
    private final BuildRunner runner;

    public Supersession(ObjectMapper json, Outbox outbox, Dependants dependants, BuildOutcomes outcomes, BuildRunner runner) {
        this.json = json;
        this.outbox = outbox;
        this.dependants = dependants;
        this.outcomes = outcomes;
        this.runner = runner;
    }

    /**
     * Cancels the builds {@code fresh} (just queued in {@code pipeline}) supersede; runs in the caller's transaction. One
     * statement cancels every superseded build that never started; a build queued again after an attempt (its Job or
     * process may still be there) is stopped and ended one by one.
     */
    Uni<Void> supersedeOlderCascades(List<Build> fresh, Origin origin, UUID pipeline) {
        List<String> configs = fresh.stream().filter(b -> b.status == BuildStatus.QUEUED).map(b -> b.config).toList();
        if (origin.queueClass() != QueueClass.CASCADE || origin.triggerImage() == null || configs.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String names;
        try {
            names = json.writeValueAsString(configs);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalStateException(e));
        }
        String reason = "superseded by pipeline " + pipeline;
        OffsetDateTime now = OffsetDateTime.now();
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                WITH cancelled AS (
                                    UPDATE build b SET status = 'CANCELLED', reason = ?1, finished_at = ?2
                                    WHERE b.status = 'QUEUED' AND b.attempt = 0 AND b.queue_class = 'CASCADE' AND b.trigger_image = ?3
                                      AND b.pipeline_id <> ?4 AND b.created_at < ?2
                                      AND b.config IN (SELECT json_array_elements_text(cast(cast(?5 AS text) AS json)))
                                    RETURNING b.*)
                                SELECT cast(id AS text), config, cast(number AS text), commit_sha, image, after_configs,
                                       cast(pipeline_id AS text), cast(causation_id AS text)
                                FROM cancelled ORDER BY created_at, config""", Object[].class)
                        .setParameter(1, reason)
                        .setParameter(2, now)
                        .setParameter(3, origin.triggerImage())
                        .setParameter(4, pipeline)
                        .setParameter(5, names)
                        .getResultList())
                .chain(rows -> {
                    List<Build> cancelled = new ArrayList<>(rows.size());
                    BuildBatch batch = new BuildBatch(json, outbox);
                    for (Object[] row : rows) {
                        Build b = new Build();
                        b.id = UUID.fromString((String) row[0]);
                        b.config = (String) row[1];
                        b.number = Integer.parseInt((String) row[2]);
                        b.commit = (String) row[3];
                        b.image = (String) row[4];
                        b.afterConfigs = (String) row[5];
                        b.pipelineId = UUID.fromString((String) row[6]);
                        b.causationId = UUID.fromString((String) row[7]);
                        b.status = BuildStatus.CANCELLED;
                        b.reason = reason;
                        b.finishedAt = now;
                        cancelled.add(b);
                        // in the order the builds were queued, so each old pipeline's events keep its waves' order
                        batch.event(b, BuildEvents.of(b));
                    }
                    return batch.write()
                            .invoke(() -> ManyBuilds.log(cancelled, "cancelled: " + reason,
                                    b -> "build " + b.config + " #" + b.number + " cancelled: " + reason + " (pipeline " + b.pipelineId + ")"))
                            .chain(() -> skipOrphans(cancelled));
                })
                .chain(() -> Build.<Build>list("""
                                status = ?1 and attempt > 0 and queueClass = ?2 and triggerImage = ?3 and pipelineId <> ?4 and createdAt < ?5
                                and config in ?6""", BuildStatus.QUEUED, QueueClass.CASCADE, origin.triggerImage(), pipeline, now, configs))
                .chain(again -> Multi.createFrom().iterable(again).onItem().transformToUniAndConcatenate(b -> {
                    runner.stop(b.id);
                    return outcomes.finish(b, BuildStatus.CANCELLED, reason);
                }).collect().asList().replaceWithVoid());
    }

    private String ids(java.util.Collection<UUID> ids) {
        try {
            return json.writeValueAsString(ids.stream().map(UUID::toString).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queued builds that waited for a cancelled build and were not superseded themselves are skipped, naming it. */
    private Uni<Void> skipOrphans(List<Build> cancelled) {
        if (cancelled.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<UUID, Build> byId = new HashMap<>();
        cancelled.forEach(b -> byId.put(b.id, b));
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                SELECT DISTINCT cast(p.prerequisite_id AS text) FROM build_prerequisite p JOIN build c ON c.id = p.build_id
                                WHERE c.status = 'QUEUED'
                                  AND p.prerequisite_id IN (SELECT cast(json_array_elements_text(cast(cast(?1 AS text) AS json)) AS uuid))""",
                                String.class)
                        .setParameter(1, ids(byId.keySet()))
                        .getResultList())
                .chain(parents -> Multi.createFrom().iterable(parents)
                        .onItem().transformToUniAndConcatenate(id -> dependants.skipWaitingFor(byId.get(UUID.fromString(id))))
                        .collect().asList().replaceWithVoid());
    }
}
