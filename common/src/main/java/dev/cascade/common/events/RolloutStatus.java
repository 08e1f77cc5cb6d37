package dev.cascade.common.events;

import java.util.Locale;

/**
 * Lifecycle states of a rollout; each has its own CloudEvents type on {@code cascade.rollouts}.
 * {@code SUPERSEDED} extends the four of the design: a newer image replaced this one mid-rollout, or an
 * older image arrived after a newer one was running (then nothing was changed). {@code WAITING} and {@code HELD} come
 * before a rollout starts, in a base-image cascade with canaries: waiting for the cascade's canaries to roll out and
 * soak, or held because a canary failed (until the pipeline is resumed or aborted).
 */
public enum RolloutStatus {
    STARTED, SUCCEEDED, FAILED, ROLLEDBACK, SUPERSEDED, WAITING, HELD;

    /** The CloudEvents type, e.g. {@code cascade.rollout.rolledback}. */
    public String eventType() {
        return EventTypes.ROLLOUT_PREFIX + name().toLowerCase(Locale.ROOT);
    }

    /** The status named by a CloudEvents type, e.g. {@code cascade.rollout.failed}. */
    public static RolloutStatus fromEventType(String type) {
        if (type == null || !type.startsWith(EventTypes.ROLLOUT_PREFIX)) {
            throw new IllegalArgumentException("not a rollout event type: " + type);
        }
        return valueOf(type.substring(EventTypes.ROLLOUT_PREFIX.length()).toUpperCase(Locale.ROOT));
    }
}
