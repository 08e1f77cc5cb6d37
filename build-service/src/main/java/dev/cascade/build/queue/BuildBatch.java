package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.Topics;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Rows written together for many builds at once: new builds (a cascade's plan), their prerequisites, and the
 * {@code cascade.build.*} events of builds queued or skipped together. They are written in the caller's transaction
 * with one statement per table whatever their number: each statement takes its rows as one JSON array
 * ({@code json_to_recordset}), so a cascade of a thousand builds costs three round trips, not thousands.
 *
 * <p>The events are the rows {@link dev.cascade.messaging.Outbox#add} writes one at a time (same columns, payload
 * serialised by the same mapper), inserted in the order they were added, so the relay publishes them in that order.
 */
final class BuildBatch {

    private static final String INSERT_BUILDS = """
            INSERT INTO build (id, config, number, status, reason, commit_sha, ref, image, pipeline_id, causation_id, attempt,
                               after_configs, created_at, finished_at)
            SELECT r.id, r.config, r.number, r.status, r.reason, r.commit_sha, r.ref, r.image, r.pipeline_id, r.causation_id, 0,
                   r.after_configs, r.created_at, r.finished_at
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(id uuid, config text, number int, status text, reason text,
                 commit_sha text, ref text, image text, pipeline_id uuid, causation_id uuid, after_configs text, created_at timestamptz,
                 finished_at timestamptz)""";

    private static final String INSERT_PREREQUISITES = """
            INSERT INTO build_prerequisite (build_id, prerequisite_id)
            SELECT r.build_id, r.prerequisite_id
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(build_id uuid, prerequisite_id uuid)""";

    private static final String INSERT_EVENTS = """
            INSERT INTO outbox_event (event_id, topic, event_key, event_type, pipeline_id, causation_id, subject, payload, created_at)
            SELECT r.event_id, r.topic, r.event_key, r.event_type, r.pipeline_id, r.causation_id, r.subject, r.payload, r.created_at
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(seq int, event_id uuid, topic text, event_key text,
                 event_type text, pipeline_id uuid, causation_id uuid, subject text, payload text, created_at timestamptz)
            ORDER BY r.seq""";

    private final ObjectMapper json;
    private final ArrayNode builds;
    private final ArrayNode prerequisites;
    private final ArrayNode events;

    BuildBatch(ObjectMapper json) {
        this.json = json;
        this.builds = json.createArrayNode();
        this.prerequisites = json.createArrayNode();
        this.events = json.createArrayNode();
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
    }

    /** {@code build} starts only after {@code prerequisite} has succeeded. */
    void prerequisite(UUID build, UUID prerequisite) {
        ObjectNode r = prerequisites.addObject();
        r.put("build_id", build.toString());
        r.put("prerequisite_id", prerequisite.toString());
    }

    /** The event of a build's current state, on {@code cascade.builds} keyed by its config, as {@code Builds.emit} sends it. */
    void event(Build b, BuildEvent event) {
        ObjectNode r = events.addObject();
        r.put("seq", events.size());
        r.put("event_id", UUID.randomUUID().toString());
        r.put("topic", Topics.BUILDS);
        r.put("event_key", b.config);
        r.put("event_type", b.status.eventType());
        r.put("pipeline_id", b.pipelineId.toString());
        r.put("causation_id", b.causationId.toString());
        r.put("subject", b.config);
        try {
            r.put("payload", json.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data cannot be written as JSON", e);
        }
        r.put("created_at", OffsetDateTime.now().toString());
    }

    /** Inserts the builds, then their prerequisites, then the events; runs in the caller's transaction. */
    Uni<Void> write() {
        Uni<Void> written = insert(Uni.createFrom().voidItem(), INSERT_BUILDS, builds);
        written = insert(written, INSERT_PREREQUISITES, prerequisites);
        return insert(written, INSERT_EVENTS, events);
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
