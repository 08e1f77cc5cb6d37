package dev.cascade.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Writes events to the transactional outbox. Call it inside the transaction of the change the event
 * reports: both commit together, and {@link OutboxRelay} publishes the event afterwards. Nothing is
 * ever sent to Kafka directly, so a change is never published without being stored, nor stored
 * without being published.
 */
@ApplicationScoped
public class Outbox {

    private final ObjectMapper json;

    public Outbox(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Adds an event to the outbox with a new id.
     *
     * @param subject CloudEvents subject, e.g. the build config or workload the event is about (may be null)
     */
    public Uni<OutboxEvent> add(String topic, String key, String type, Causation causation, String subject, Object data) {
        return add(UUID.randomUUID(), topic, key, type, causation, subject, data);
    }

    /** Adds an event whose id the caller chose, e.g. a root event whose id is also its pipeline id. */
    public Uni<OutboxEvent> add(UUID eventId, String topic, String key, String type, Causation causation, String subject,
                                Object data) {
        OutboxEvent e = new OutboxEvent();
        e.eventId = eventId;
        e.topic = topic;
        e.key = key;
        e.type = type;
        e.pipelineId = causation.pipelineId();
        e.causationId = causation.causationId();
        e.subject = subject;
        try {
            e.payload = json.writeValueAsString(data);
        } catch (JsonProcessingException ex) {
            return Uni.createFrom().failure(new IllegalArgumentException("event data cannot be written as JSON", ex));
        }
        e.createdAt = OffsetDateTime.now();
        return e.persist();
    }
}
