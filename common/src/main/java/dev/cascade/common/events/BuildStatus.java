package dev.cascade.common.events;

import java.util.Locale;

/** Lifecycle states of a build; each has its own CloudEvents type on {@code cascade.builds}. */
public enum BuildStatus {
    QUEUED, STARTED, SUCCEEDED, FAILED, CANCELLED, SKIPPED;

    /** The CloudEvents type, e.g. {@code cascade.build.succeeded}. */
    public String eventType() {
        return EventTypes.BUILD_PREFIX + name().toLowerCase(Locale.ROOT);
    }

    /** Whether the build can no longer change state. */
    public boolean isFinal() {
        return this != QUEUED && this != STARTED;
    }

    /** The status named by a CloudEvents type, e.g. {@code cascade.build.failed}. */
    public static BuildStatus fromEventType(String type) {
        if (type == null || !type.startsWith(EventTypes.BUILD_PREFIX)) {
            throw new IllegalArgumentException("not a build event type: " + type);
        }
        return valueOf(type.substring(EventTypes.BUILD_PREFIX.length()).toUpperCase(Locale.ROOT));
    }
}
