package dev.cascade.common.events;

/** CloudEvents {@code type} values of the event contract. */
public final class EventTypes {

    public static final String SOURCE_PUSHED = "cascade.source.pushed";
    public static final String IMAGE_PUSHED = "cascade.image.pushed";
    public static final String IMAGE_REPORTED = "cascade.image.reported";
    public static final String BUILD_PREFIX = "cascade.build.";
    /** On {@code cascade.builds} beside the build events: a base image push's cascade is queued ({@link CascadePlanned}). */
    public static final String CASCADE_PLANNED = "cascade.cascade.planned";
    public static final String ROLLOUT_PREFIX = "cascade.rollout.";

    private EventTypes() {
    }
}
