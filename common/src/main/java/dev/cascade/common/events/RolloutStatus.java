package dev.cascade.common.events;

import java.util.Locale;

/**
 * Lifecycle states of a rollout; each has its own CloudEvents type on {@code cascade.rollouts}.
 * {@code SUPERSEDED} extends the four of the design: a newer image replaced this one mid-rollout, or an
 * older image arrived after a newer one was running (then nothing was changed).
 */
public enum RolloutStatus {
    STARTED, SUCCEEDED, FAILED, ROLLEDBACK, SUPERSEDED;

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
