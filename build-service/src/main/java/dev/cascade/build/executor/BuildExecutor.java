package dev.cascade.build.executor;

import dev.cascade.buildstep.BuildJob;
import dev.cascade.buildstep.BuildOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs builds: {@link LocalExecutor} on this machine, or the Kubernetes executor as Jobs. Blocking: called on a
 * worker thread, once per started build.
 */
public interface BuildExecutor {

    /**
     * Runs one build to its end, its output appended to {@code log}.
     *
     * @return what was pushed
     * @throws dev.cascade.buildstep.process.BuildStepException when the build failed (or was cancelled); its message is the reason
     * @throws ExecutorUnavailableException when the build could not even be started where builds run; it goes back to the queue
     */
    BuildOutcome execute(BuildJob job, OutputStream log) throws IOException, InterruptedException;

    /** Stops a running build; it then ends as cancelled. */
    void cancel(UUID buildId);

    /** Why no build can start now (the Kubernetes API server is unreachable); empty when builds can start. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }
}
