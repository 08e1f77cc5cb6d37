package dev.cascade.registry;

import dev.cascade.common.image.ImageRef;
import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.concurrent.CompletionException;

/**
 * One question about a manifest: the reference asked about (by tag or by digest) and the manifest URL it is asked at;
 * it also words what went wrong, naming the image and the registry and never a credential.
 */
record ManifestLookup(ImageRef ref, URI manifest) {

    /** The lookup of {@code /v2/<repository>/manifests/<reference>} at a registry's base URL. */
    static ManifestLookup of(ImageRef ref, String reference, URI base) {
        return new ManifestLookup(ref, URI.create(base + "/v2/" + ref.repository() + "/manifests/" + reference));
    }

    String registry() {
        return ref.registry();
    }

    String repository() {
        return ref.repository();
    }

    /** {@code registry/repository:tag} or {@code registry/repository@digest}: what is asked about. */
    String image() {
        return ref.toString();
    }

    /** Authorizations are granted per repository: the key they are kept under. */
    String cacheKey() {
        return ref.name();
    }

    <T> Uni<T> fail(String message) {
        return Uni.createFrom().failure(new RegistryLookupException(message));
    }

    /** A failure caused by an answer: it carries the answer's status and the wait its {@code Retry-After} asks for. */
    <T> Uni<T> fail(String message, HttpResponse<?> answer) {
        return Uni.createFrom().failure(new RegistryLookupException(message, answer.statusCode(), RetryAfter.of(answer, Instant.now())));
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
