package dev.cascade.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.events.CascadeEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Writes events to the transactional outbox; the only writer of the {@code outbox_event} table. Call it inside the
 * transaction of the change the event reports: both commit together, and {@link OutboxRelay} publishes the event
 * afterwards. Nothing is ever sent to Kafka directly, so a change is never published without being stored, nor
 * stored without being published. The event itself says its topic, key, type and subject.
 */
@ApplicationScoped
public class Outbox {

    /** One event to add, with the id it is published under and its place in its pipeline. */
    public record Entry(UUID eventId, CascadeEvent event, Causation causation) {

        public Entry(CascadeEvent event, Causation causation) {
            this(UUID.randomUUID(), event, causation);
        }
    }

    private static final String INSERT_MANY = """
            INSERT INTO outbox_event (event_id, topic, event_key, event_type, pipeline_id, causation_id, subject, payload, created_at)
            SELECT r.event_id, r.topic, r.event_key, r.event_type, r.pipeline_id, r.causation_id, r.subject, r.payload, r.created_at
            FROM json_to_recordset(cast(cast(?1 as text) as json)) AS r(seq int, event_id uuid, topic text, event_key text,
                 event_type text, pipeline_id uuid, causation_id uuid, subject text, payload text, created_at timestamptz)
            ORDER BY r.seq""";

    private final ObjectMapper json;

    public Outbox(ObjectMapper json) {
        this.json = json;
    }

    /** Adds an event with a new id, in the pipeline and after the event that {@code causation} names. */
    public Uni<OutboxEvent> add(CascadeEvent event, Causation causation) {
        return add(UUID.randomUUID(), event, causation);
    }

    /** Adds an event whose id the caller chose, e.g. a root event whose id is also its pipeline id. */
    public Uni<OutboxEvent> add(UUID eventId, CascadeEvent event, Causation causation) {
        OutboxEvent e = new OutboxEvent();
        e.eventId = eventId;
        e.topic = event.topic();
        e.key = event.key();
        e.type = event.eventType();
        e.pipelineId = causation.pipelineId();
        e.causationId = causation.causationId();
        e.subject = event.subject();
        try {
            e.payload = json.writeValueAsString(event);
        } catch (JsonProcessingException ex) {
            return Uni.createFrom().failure(new IllegalArgumentException("event data cannot be written as JSON", ex));
        }
        e.createdAt = OffsetDateTime.now();
        return e.persist();
    }

    /**
     * Adds many events in one statement, whatever their number (a cascade of a thousand builds is one round trip),
     * in the caller's transaction. The rows are the ones {@link #add} writes, inserted in list order, so the relay
     * publishes them in that order.
     */
    public Uni<Void> addAll(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ArrayNode rows = json.createArrayNode();
        String now = OffsetDateTime.now().toString();
        try {
            for (Entry entry : entries) {
                CascadeEvent event = entry.event();
                ObjectNode r = rows.addObject();
                r.put("seq", rows.size());
                r.put("event_id", entry.eventId().toString());
                r.put("topic", event.topic());
                r.put("event_key", event.key());
                r.put("event_type", event.eventType());
                r.put("pipeline_id", entry.causation().pipelineId().toString());
                r.put("causation_id", entry.causation().causationId().toString());
                r.put("subject", event.subject());
                r.put("payload", json.writeValueAsString(event));
                r.put("created_at", now);
            }
            String text = json.writeValueAsString(rows);
            return Panache.getSession()
                    .chain(session -> session.createNativeQuery(INSERT_MANY).setParameter(1, text).executeUpdate())
                    .replaceWithVoid();
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event data cannot be written as JSON", e));
        }
    }
}
