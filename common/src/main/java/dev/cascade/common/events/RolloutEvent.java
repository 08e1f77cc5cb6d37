package dev.cascade.common.events;

import java.time.Instant;
import java.util.Objects;

/**
 * {@code cascade.rollout.*}: one step in rolling an image out to a Kubernetes workload.
 *
 * @param rolloutId     deploy-service's id of the rollout
 * @param namespace     namespace of the workload
 * @param kind          {@code Deployment}, {@code StatefulSet} or {@code DaemonSet}
 * @param name          name of the workload
 * @param container     the container whose image changes
 * @param image         the immutable reference rolled out, {@code registry/repository@sha256:…}
 * @param previousImage the reference the container ran before (what a rollback restores)
 * @param status        the state the rollout entered
 * @param reason        why it failed or was rolled back
 * @param at            when the rollout entered this state
 */
public record RolloutEvent(
        String rolloutId,
        String namespace,
        String kind,
        String name,
        String container,
        String image,
        String previousImage,
        RolloutStatus status,
        String reason,
        Instant at) implements CascadeEvent {

    public RolloutEvent {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(at, "at");
    }

    /** Kafka key {@code namespace/kind/name}: every event about one workload stays in order. */
    @Override
    public String key() {
        return namespace + "/" + kind + "/" + name;
    }

    @Override
    public String eventType() {
        return status.eventType();
    }

    @Override
    public String topic() {
        return Topics.ROLLOUTS;
    }

    @Override
    public String subject() {
        return key();
    }
}
