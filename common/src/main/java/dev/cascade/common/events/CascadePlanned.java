package dev.cascade.common.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code cascade.cascade.planned}: build-service has planned the cascade of a base image push from outside Cascade (once
 * the push outlived the coalescing window) and queued its builds, in the transaction that wrote their
 * {@code cascade.build.queued} events. Published for every such push, also when it affects no config ({@code builds} 0),
 * under the push's pipeline. A consumer that has read this event and {@code builds} queued events of the pipeline knows
 * every image the cascade will build.
 *
 * @param image       the base image {@code registry/repository:tag}; the Kafka key
 * @param digest      the digest the cascade rebuilds for
 * @param builds      how many builds the plan queued in the pipeline
 * @param cascadePipeline the pipeline whose cascade builds for this push: the push's own, or that of an earlier push of
 *                    the same tag inside the coalescing window, which it joined (then {@code builds} is 0)
 * @param at          when the plan was queued
 */
public record CascadePlanned(String image, String digest, int builds, UUID cascadePipeline, Instant at) implements CascadeEvent {

    public CascadePlanned {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(cascadePipeline, "cascadePipeline");
        Objects.requireNonNull(at, "at");
        if (builds < 0) {
            throw new IllegalArgumentException("builds must not be negative: " + builds);
        }
    }

    /** Kafka key: the plans of one base image stay in order. */
    @Override
    public String key() {
        return image;
    }

    @Override
    public String eventType() {
        return EventTypes.CASCADE_PLANNED;
    }

    @Override
    public String topic() {
        return Topics.BUILDS;
    }

    @Override
    public String subject() {
        return image;
    }
}
