package dev.cascade.build.executor;

/** A build could not be started where builds run (the Kubernetes API server could not be reached); it is queued again. */
public class ExecutorUnavailableException extends RuntimeException {

    public ExecutorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
