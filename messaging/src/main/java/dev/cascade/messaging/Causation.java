package dev.cascade.messaging;

import java.util.Objects;
import java.util.UUID;

/**
 * Where an event sits in its pipeline's causal tree: the pipeline (the root trigger's id) and the event
 * that directly caused it.
 */
public record Causation(UUID pipelineId, UUID causationId) {

    public Causation {
        Objects.requireNonNull(pipelineId, "pipelineId");
        Objects.requireNonNull(causationId, "causationId");
    }

    /** A root event starts its own pipeline: the pipeline id and the causation id are its own id. */
    public static Causation root(UUID eventId) {
        return new Causation(eventId, eventId);
    }

    /** An event caused by {@code cause}: same pipeline, caused by that event. */
    public static Causation causedBy(ReceivedEvent<?> cause) {
        return new Causation(cause.pipelineId(), cause.id());
    }
}
