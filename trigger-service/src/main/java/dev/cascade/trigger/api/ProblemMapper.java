package dev.cascade.trigger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.trigger.registry.RegistryLookupException;
import dev.cascade.trigger.registry.TagNotFoundException;
import dev.cascade.trigger.secret.SecretCipher;
import dev.cascade.trigger.secret.WebhookSecrets;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into a problem-details answer; client mistakes never become a 5xx. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response malformed(MalformedWebhookException e) {
        return Problem.response(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Problem.response(Response.Status.BAD_REQUEST, "request body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return Problem.response(422, "Unprocessable Content", e.getMessage());
    }

    @ServerExceptionMapper
    public Response tooManySecrets(WebhookSecrets.TooManySecretsException e) {
        return Problem.response(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response secretStorageDisabled(SecretCipher.SecretStorageDisabledException e) {
        return Problem.response(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unknownTag(TagNotFoundException e) {
        return Problem.response(422, "Unprocessable Content", "the registry does not have the image this delivery reports: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response registry(RegistryLookupException e) {
        Log.warnf("registry lookup failed: %s", e.getMessage());
        return Problem.response(Response.Status.SERVICE_UNAVAILABLE, "the image's digest could not be resolved from its registry: "
                + e.getMessage());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = e.getResponse().getStatusInfo();
        return Problem.response(status, type.getReasonPhrase(), e.getMessage());
    }
}
