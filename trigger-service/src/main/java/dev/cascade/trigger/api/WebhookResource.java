package dev.cascade.trigger.api;

import dev.cascade.api.problem.Problems;
import dev.cascade.trigger.intake.IntakeResult;
import dev.cascade.trigger.intake.WebhookIntake;
import dev.cascade.trigger.provider.WebhookProvider;
import dev.cascade.trigger.webhook.WebhookConfig;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Webhook endpoints for git hosts and registries. Every delivery is answered only after it is stored:
 * {@code 202} accepted or ignored (with the reason), {@code 200} for a redelivery of one already stored.
 */
@Path("/webhooks")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private final WebhookIntake intake;
    private final long maxBodyBytes;
    private final int maxInFlight;
    private final long busyRetryAfterSeconds;
    /** Deliveries between their admission and their answer, on every endpoint of this instance. */
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();

    public WebhookResource(WebhookIntake intake, WebhookConfig config) {
        this.intake = intake;
        this.maxBodyBytes = config.maxBodySize().asLongValue();
        this.maxInFlight = config.maxInFlight();
        this.busyRetryAfterSeconds = Math.max(1, config.busyRetryAfter().toSeconds());
    }

    @POST
    @Path("/git/{sender}")
    @Operation(summary = "A push from a git host: github, gitlab, gitea (and Forgejo) or bitbucket")
    @APIResponse(responseCode = "202", description = "stored; accepted or ignored with the reason")
    @APIResponse(responseCode = "200", description = "a redelivery of a delivery already stored; nothing new happens")
    @APIResponse(responseCode = "503", description = "too many deliveries in flight; not stored, deliver again after Retry-After")
    public Uni<Response> git(@PathParam("sender") String sender, HttpHeaders headers, byte[] body) {
        return receive(sender, WebhookProvider.Kind.GIT, headers, body, null);
    }

    @POST
    @Path("/git/generic/{secret}")
    @Operation(summary = "A generic (OpenShift-style) git hook: {\"type\":\"Git\",\"git\":{uri, ref, commit}} as JSON or YAML")
    @APIResponse(responseCode = "503", description = "too many deliveries in flight; not stored, deliver again after Retry-After")
    public Uni<Response> generic(@PathParam("secret") String secret, HttpHeaders headers, byte[] body) {
        return receive("generic", WebhookProvider.Kind.GIT, headers, body, secret);
    }

    @POST
    @Path("/registry/{sender}")
    @Operation(summary = "An image push from a registry: distribution, dockerhub, harbor, quay, ghcr, acr, nexus or artifactory")
    @APIResponse(responseCode = "422", description = "unreadable, or it names a registry Cascade does not ask (CASCADE_REGISTRY_ALLOW)")
    @APIResponse(responseCode = "503", description = "too many deliveries in flight; not stored, deliver again after Retry-After")
    public Uni<Response> registry(@PathParam("sender") String sender, HttpHeaders headers, byte[] body) {
        return receive(sender, WebhookProvider.Kind.REGISTRY, headers, body, null);
    }

    private Uni<Response> receive(String sender, WebhookProvider.Kind kind, HttpHeaders headers, byte[] body, String pathSecret) {
        WebhookProvider provider = intake.provider(sender, kind).orElse(null);
        if (provider == null) {
            return Uni.createFrom().item(Problems.response(Response.Status.NOT_FOUND, "no " + kind.name().toLowerCase() + " webhook sender named '" + sender + "'"));
        }
        byte[] bytes = body == null ? new byte[0] : body;
        if (bytes.length > maxBodyBytes) {
            return Uni.createFrom().item(Problems.response(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body of " + bytes.length + " bytes is over the limit of " + maxBodyBytes));
        }
        WebhookRequest request = new WebhookRequest(provider.sender(), headers.getRequestHeaders(), bytes, pathSecret);
        String mediaType = request.mediaType();
        if (mediaType == null || !provider.mediaTypes().contains(mediaType)) {
            return Uni.createFrom().item(Problems.response(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    provider.sender() + " webhooks are " + String.join(" or ", provider.mediaTypes())
                            + (mediaType == null ? "; no Content-Type was sent" : ", not " + mediaType)));
        }
        if (IN_FLIGHT.incrementAndGet() > maxInFlight) {
            IN_FLIGHT.decrementAndGet();
            // not stored and not acknowledged: the sender delivers it again, so a flood loses nothing
            Log.warnf("webhook from %s refused: %d deliveries already in flight", provider.sender(), maxInFlight);
            return Uni.createFrom().item(Response.fromResponse(Problems.response(Response.Status.SERVICE_UNAVAILABLE,
                            maxInFlight + " deliveries are being taken in; deliver this one again after " + busyRetryAfterSeconds + " s"))
                    .header("Retry-After", busyRetryAfterSeconds).build());
        }
        return intake.receive(provider, request).map(WebhookResource::answer)
                .onTermination().invoke(IN_FLIGHT::decrementAndGet);
    }

    /** The HTTP answer for an intake result, for a delivery and a redelivery alike. */
    static Response answer(IntakeResult result) {
        return switch (result.status()) {
            case ACCEPTED, IGNORED -> Response.accepted(result).build();
            case DUPLICATE -> Response.ok(result).build();
            case REJECTED -> Problems.response(Response.Status.UNAUTHORIZED, result.reason() + " (delivery " + result.deliveryId() + ")");
        };
    }
}
