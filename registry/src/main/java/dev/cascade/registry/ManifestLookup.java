package dev.cascade.registry;

import dev.cascade.common.image.ImageRef;
import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;

/**
 * One resolution: the tagged reference asked about and the manifest URL it is asked at; it also words what went
 * wrong, naming the image and the registry and never a credential.
 */
record ManifestLookup(ImageRef ref, URI manifest) {

    String registry() {
        return ref.registry();
    }

    String repository() {
        return ref.repository();
    }

    /** {@code registry/repository:tag}. */
    String image() {
        return ref.taggedName();
    }

    /** Authorizations are granted per repository: the key they are kept under. */
    String cacheKey() {
        return ref.name();
    }

    <T> Uni<T> fail(String message) {
        return Uni.createFrom().failure(new RegistryLookupException(message));
    }

    /** A transport failure as a lookup failure; the message says what happened, the cause keeps the details. */
    RegistryLookupException failure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RegistryLookupException e) {
            return e;
        }
        String what;
        if (cause instanceof HttpTimeoutException) {
            what = "did not answer in time";
        } else if (cause instanceof ConnectException) {
            what = "cannot be reached";
        } else {
            what = "cannot be asked";
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new RegistryLookupException("registry " + registry() + " " + what + " for " + image() + " (" + detail + ")", cause);
    }
}
