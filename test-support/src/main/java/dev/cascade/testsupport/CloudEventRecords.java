package dev.cascade.testsupport;

import dev.cascade.common.events.CloudEventAttributes;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka records in CloudEvents binary mode, written straight from the Kafka protocol binding (ce_* headers),
 * so a consumer test checks the contract itself rather than one library's view of it.
 */
public final class CloudEventRecords {

    private CloudEventRecords() {
    }

    /** A root event (its own pipeline) of the given type, key and JSON data. */
    public static ProducerRecord<String, String> event(String topic, String key, UUID id, String type, String json) {
        return event(topic, key, id, type, id, id, json);
    }

    public static ProducerRecord<String, String> event(String topic, String key, UUID id, String type,
                                                       UUID pipelineId, UUID causationId, String json) {
        return event(topic, key, id, type, pipelineId, causationId, java.time.OffsetDateTime.now(), json);
    }

    /** An event with an explicit CloudEvents {@code time}, e.g. to deliver an older push late. */
    public static ProducerRecord<String, String> event(String topic, String key, UUID id, String type, UUID pipelineId,
                                                       UUID causationId, java.time.OffsetDateTime time, String json) {
        Headers headers = new RecordHeaders();
        add(headers, "specversion", "1.0");
        add(headers, "id", id.toString());
        add(headers, "type", type);
        add(headers, "source", "/cascade/test");
        add(headers, "time", time.toString());
        add(headers, CloudEventAttributes.PIPELINE_ID, pipelineId.toString());
        add(headers, CloudEventAttributes.CAUSATION_ID, causationId.toString());
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, key, json, headers);
    }

    private static void add(Headers headers, String attribute, String value) {
        headers.add(CloudEventAttributes.kafkaHeader(attribute), value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of a header as text, or null. */
    public static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
