package dev.cascade.build.queue;

/**
 * The two queue classes: what started a build's pipeline decides its class, and interactive builds are never queued
 * behind a cascade.
 */
public enum QueueClass {
    /** A git push or a build requested by hand, and what those rebuild in their pipeline. */
    INTERACTIVE,
    /** A base image push (a registry's report, a watched tag's new digest) and everything it rebuilds. */
    CASCADE;

    /** The name used in the API. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
