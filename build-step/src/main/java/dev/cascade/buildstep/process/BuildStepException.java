package dev.cascade.buildstep.process;

/** A build step that did not succeed; the message is the build's failure reason. */
public class BuildStepException extends RuntimeException {

    private final boolean cancelled;
    private final boolean transientFailure;

    public BuildStepException(String reason, boolean cancelled) {
        this(reason, cancelled, false);
    }

    public BuildStepException(String reason, boolean cancelled, boolean transientFailure) {
        super(reason);
        this.cancelled = cancelled;
        this.transientFailure = transientFailure;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** A failure worth retrying (a registry that was briefly unreachable). */
    public boolean transientFailure() {
        return transientFailure;
    }
}
