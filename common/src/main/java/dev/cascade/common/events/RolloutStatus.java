package dev.cascade.common.events;

import java.util.Locale;

/** Lifecycle states of a rollout; each has its own CloudEvents type on {@code cascade.rollouts}. */
public enum RolloutStatus {
    STARTED, SUCCEEDED, FAILED, ROLLEDBACK;

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
