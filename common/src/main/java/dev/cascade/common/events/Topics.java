package dev.cascade.common.events;

/** Kafka topic names of the event contract, and the dead-letter topic that goes with each. */
public final class Topics {

    public static final String SOURCE = "cascade.source";
    public static final String IMAGES = "cascade.images";
    public static final String IMAGE_REPORTS = "cascade.image-reports";
    public static final String BUILDS = "cascade.builds";
    public static final String ROLLOUTS = "cascade.rollouts";

    private Topics() {
    }

    /** The topic a consumer sends a message to when it cannot process it. */
    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
