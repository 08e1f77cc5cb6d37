package dev.cascade.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.CloudEventAttributes;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Reads binary-mode CloudEvents from Kafka messages into {@link ReceivedEvent}s, or says why it cannot. */
@ApplicationScoped
public class IncomingEvents {

    private final ObjectMapper json;

    public IncomingEvents(ObjectMapper json) {
        this.json = json;
    }

    /** The CloudEvents {@code type} of a message, or null when it is no CloudEvent: for topics that carry more than one kind. */
    public static String type(Message<?> message) {
        return message.getMetadata(IncomingCloudEventMetadata.class).map(IncomingCloudEventMetadata::getType).orElse(null);
    }

    /**
     * @throws UnprocessableEventException when the message is no CloudEvent of the contract or its data
     *                                     does not match {@code dataType}
     */
    @SuppressWarnings("unchecked")
    public <T> ReceivedEvent<T> read(Message<?> message, Class<T> dataType) {
        IncomingCloudEventMetadata<Object> ce = message.getMetadata(IncomingCloudEventMetadata.class)
                .orElseThrow(() -> new UnprocessableEventException("not a CloudEvent: no ce_* headers"));
        UUID id = uuid(ce.getId(), "id");
        UUID pipelineId = uuid(extension(ce, CloudEventAttributes.PIPELINE_ID), CloudEventAttributes.PIPELINE_ID);
        UUID causationId = uuid(extension(ce, CloudEventAttributes.CAUSATION_ID), CloudEventAttributes.CAUSATION_ID);
        String key = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getKey() == null ? null : m.getKey().toString())
                .orElse(null);
        Object payload = message.getPayload();
        if (payload == null) {
            throw new UnprocessableEventException("CloudEvent " + id + " has no data");
        }
        T data;
        try {
            data = payload instanceof byte[] bytes ? json.readValue(bytes, dataType) : json.readValue(payload.toString(), dataType);
        } catch (Exception e) {
            throw new UnprocessableEventException("data of " + ce.getType() + " " + id + " is not a valid "
                    + dataType.getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
        return new ReceivedEvent<>(id, ce.getType(), ce.getSource() == null ? null : ce.getSource().toString(),
                ce.getSubject().orElse(null),
                ce.getTimeStamp().map(ZonedDateTime::toOffsetDateTime).orElse(null),
                pipelineId, causationId, key, data);
    }

    private static String extension(IncomingCloudEventMetadata<?> ce, String name) {
        Optional<Object> value = ce.getExtension(name);
        return value.map(Object::toString).orElseThrow(() -> new UnprocessableEventException(
                "CloudEvent " + ce.getId() + " lacks the '" + name + "' extension"));
    }

    private static UUID uuid(String value, String attribute) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UnprocessableEventException("CloudEvent attribute '" + attribute + "' is not a UUID: " + value);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
