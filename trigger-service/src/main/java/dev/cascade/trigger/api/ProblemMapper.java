package dev.cascade.trigger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.api.problem.Problems;
import dev.cascade.registry.RegistryLookupException;
import dev.cascade.registry.RegistryNotAllowedException;
import dev.cascade.registry.TagNotFoundException;
import dev.cascade.trigger.secret.SecretCipher;
import dev.cascade.trigger.secret.WebhookSecrets;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import io.quarkus.logging.Log;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * trigger-service's own failures as problem-details answers; client mistakes never become a 5xx.
 * {@link dev.cascade.api.problem.HttpErrorMapper} answers the rest.
 */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response malformed(MalformedWebhookException e) {
        return Problems.response(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Problems.response(Response.Status.BAD_REQUEST, "request body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return Problems.response(422, "Unprocessable Content", e.getMessage());
    }

    @ServerExceptionMapper
    public Response tooManySecrets(WebhookSecrets.TooManySecretsException e) {
        return Problems.response(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response secretStorageDisabled(SecretCipher.SecretStorageDisabledException e) {
        return Problems.response(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unknownTag(TagNotFoundException e) {
        return Problems.response(422, "Unprocessable Content", "the registry does not have the image this delivery reports: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response registryNotAllowed(RegistryNotAllowedException e) {
        Log.warnf("registry lookup not sent: %s", e.getMessage());
        return Problems.response(422, "Unprocessable Content", "the image's registry is not one Cascade asks: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response registry(RegistryLookupException e) {
        Log.warnf("registry lookup failed: %s", e.getMessage());
        return Problems.response(Response.Status.SERVICE_UNAVAILABLE, "the image's digest could not be resolved from its registry: "
                + e.getMessage());
    }
}
