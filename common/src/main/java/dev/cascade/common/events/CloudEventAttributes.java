package dev.cascade.common.events;

/**
 * Names of the CloudEvents attributes Cascade relies on. In Kafka binary mode each travels as a
 * {@code ce_<name>} header; the two extensions tie every event to the pipeline it belongs to.
 */
public final class CloudEventAttributes {

    /** Extension: id of the root trigger event, the same along the whole causal tree. */
    public static final String PIPELINE_ID = "pipelineid";
    /** Extension: id of the event that directly caused this one (the root's own id for the root). */
    public static final String CAUSATION_ID = "causationid";

    /** Kafka header prefix of binary-mode CloudEvents (Kafka protocol binding). */
    public static final String KAFKA_HEADER_PREFIX = "ce_";

    public static final String SOURCE_TRIGGER = "/cascade/trigger-service";
    public static final String SOURCE_BUILD = "/cascade/build-service";
    public static final String SOURCE_DEPLOY = "/cascade/deploy-service";

    private CloudEventAttributes() {
    }

    /** The Kafka header that carries the given CloudEvents attribute in binary mode. */
    public static String kafkaHeader(String attribute) {
        return KAFKA_HEADER_PREFIX + attribute;
    }
}
