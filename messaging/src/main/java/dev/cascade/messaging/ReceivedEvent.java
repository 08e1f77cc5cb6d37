package dev.cascade.messaging;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An event of the contract as a consumer received it: CloudEvents attributes, Kafka key, typed data. */
public record ReceivedEvent<T>(
        UUID id,
        String type,
        String source,
        String subject,
        OffsetDateTime time,
        UUID pipelineId,
        UUID causationId,
        String key,
        T data) {
}
