package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Rows written together for many builds at once: new builds (a cascade's plan), their prerequisites, and the
 * {@code cascade.build.*} events of builds queued or skipped together. They are written in the caller's transaction
 * with one statement per table whatever their number: each statement takes its rows as one JSON array
 * ({@code json_to_recordset}), so a cascade of a thousand builds costs three round trips, not thousands.
 *
 * <p>The events go to the outbox in one statement too ({@link Outbox#addAll}), in the order they were added, so the
 * relay publishes them in that order.
 */
final class BuildBatch {

    private static final String INSERT_BUILDS = """
            INSERT INTO build (id, config, number, status, reason, commit_sha, ref, image, pipeline_id, causation_id, attempt,
                               after_configs, created_at, finished_at, queue_class, trigger_image)
            SELECT r.id, r.config, r.number, r.status, r.reason, r.commit_sha, r.ref, r.image, r.pipeline_id, r.causation_id, 0,
                   r.after_configs, r.created_at, r.finished_at, r.queue_class, r.trigger_image
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(id uuid, config text, number int, status text, reason text,
                 commit_sha text, ref text, image text, pipeline_id uuid, causation_id uuid, after_configs text, created_at timestamptz,
                 finished_at timestamptz, queue_class text, trigger_image text)""";

    private static final String INSERT_PREREQUISITES = """
            INSERT INTO build_prerequisite (build_id, prerequisite_id)
            SELECT r.build_id, r.prerequisite_id
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(build_id uuid, prerequisite_id uuid)""";

    private final ObjectMapper json;
    private final ArrayNode builds;
    private final ArrayNode prerequisites;
    private final Outbox outbox;
    private final List<Outbox.Entry> events = new ArrayList<>();

    BuildBatch(ObjectMapper json, Outbox outbox) {
        this.json = json;
        this.outbox = outbox;
        this.builds = json.createArrayNode();
        this.prerequisites = json.createArrayNode();
    }

    /** A new build, as it is to be stored (queued, or already skipped). */
    void build(Build b) {
        ObjectNode r = builds.addObject();
        r.put("id", b.id.toString());
        r.put("config", b.config);
        r.put("number", b.number);
        r.put("status", b.status.name());
        r.put("reason", b.reason);
        r.put("commit_sha", b.commit);
        r.put("ref", b.ref);
        r.put("image", b.image);
        r.put("pipeline_id", b.pipelineId.toString());
        r.put("causation_id", b.causationId.toString());
        r.put("after_configs", b.afterConfigs);
        r.put("created_at", b.createdAt.toString());
        r.put("finished_at", b.finishedAt == null ? null : b.finishedAt.toString());
        r.put("queue_class", b.queueClass.name());
        r.put("trigger_image", b.triggerImage);
    }

    /** {@code build} starts only after {@code prerequisite} has succeeded. */
    void prerequisite(UUID build, UUID prerequisite) {
        ObjectNode r = prerequisites.addObject();
        r.put("build_id", build.toString());
        r.put("prerequisite_id", prerequisite.toString());
    }

    /** The event of a build's current state, as {@link BuildEvents#emit} sends it. */
    void event(Build b, BuildEvent event) {
        events.add(new Outbox.Entry(event, new Causation(b.pipelineId, b.causationId)));
    }

    /** Inserts the builds, then their prerequisites, then the events; runs in the caller's transaction. */
    Uni<Void> write() {
        Uni<Void> written = insert(Uni.createFrom().voidItem(), INSERT_BUILDS, builds);
        written = insert(written, INSERT_PREREQUISITES, prerequisites);
        return written.chain(() -> outbox.addAll(events));
    }

    private Uni<Void> insert(Uni<Void> before, String sql, ArrayNode rows) {
        if (rows.isEmpty()) {
            return before;
        }
        String text;
        try {
            text = json.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalStateException(e));
        }
        return before.chain(() -> Panache.getSession())
                .chain(session -> session.createNativeQuery(sql).setParameter(1, text).executeUpdate())
                .replaceWithVoid();
    }
}
