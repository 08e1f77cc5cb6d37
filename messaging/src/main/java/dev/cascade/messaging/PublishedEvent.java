package dev.cascade.messaging;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An outbox row the broker has acknowledged, as a CDI event fired by the {@link OutboxRelay} after the batch is
 * stamped sent. Observers see each event of this service once per publication (at-least-once: a relay that crashed
 * between the acknowledgement and the stamp publishes it again). They run on the relay's event loop and must not
 * block.
 *
 * @param type      the CloudEvents type, e.g. {@code cascade.build.succeeded}
 * @param topic     the Kafka topic it went to
 * @param pipelineId the pipeline it belongs to
 * @param payload   its JSON data
 * @param createdAt when it was written, in the transaction of the change it reports
 */
public record PublishedEvent(String type, String topic, UUID pipelineId, String payload, OffsetDateTime createdAt) {
}
