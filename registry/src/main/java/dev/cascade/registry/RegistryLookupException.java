package dev.cascade.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A registry could not answer what was asked of it: a tag's digest could not be resolved (the tag does not exist),
 * or the registry refused, answered something else or could not be reached. The message names the image and the
 * cause, and never a credential or token. A caller that paces its requests tells the cases apart by
 * {@link #status()} (the HTTP status the registry or its token service answered), {@link #retryAfter()} and
 * {@link #unreachable()}.
 */
public class RegistryLookupException extends RuntimeException {

    /** No HTTP status applies: the registry was not reached, or its answer could not be used. */
    public static final int NO_STATUS = 0;

    private final int status;
    private final transient Duration retryAfter;

    public RegistryLookupException(String message) {
        this(message, NO_STATUS, null, null);
    }

    public RegistryLookupException(String message, Throwable cause) {
        this(message, NO_STATUS, null, cause);
    }

    /**
     * @param status     the HTTP status that made the lookup fail
     * @param retryAfter how long the registry asked to be left alone ({@code Retry-After}); null when it did not say
     */
    public RegistryLookupException(String message, int status, Duration retryAfter) {
        this(message, status, retryAfter, null);
    }

    private RegistryLookupException(String message, int status, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status the registry (or its token service) answered, or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    /** How long the registry asked to wait before the next request, from its {@code Retry-After} header. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The registry said too many requests ({@code 429}). */
    public boolean throttled() {
        return status == 429;
    }

    /** The registry failed on its side ({@code 5xx}). */
    public boolean serverError() {
        return status >= 500 && status <= 599;
    }

    /** The registry refused the credentials, or asked for credentials none were configured for ({@code 401}). */
    public boolean unauthorized() {
        return status == 401;
    }

    /** The registry did not answer at all: it could not be reached, or did not answer in time. */
    public boolean unreachable() {
        return status == NO_STATUS && getCause() instanceof IOException;
    }
}
