package dev.cascade.trigger.api;

import dev.cascade.common.git.GitRepository;
import dev.cascade.common.image.ImageRef;
import dev.cascade.trigger.intake.WebhookIntake;
import dev.cascade.trigger.provider.WebhookProvider;
import dev.cascade.trigger.secret.WebhookSecret;
import dev.cascade.trigger.secret.WebhookSecrets;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Per-repository webhook secrets: stored encrypted, never returned. Two may be active for rotation. */
@Path("/api/webhook-secrets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class WebhookSecretResource {

    /** Request body: the secret is write-only. */
    public record NewSecret(String sender, String subject, String secret) {
    }

    /** What is shown of a stored secret. */
    public record SecretView(UUID id, String sender, String subject, OffsetDateTime createdAt) {
        static SecretView of(WebhookSecret s) {
            return new SecretView(s.id, s.sender, s.subject, s.createdAt);
        }
    }

    private final WebhookSecrets secrets;
    private final WebhookIntake intake;

    public WebhookSecretResource(WebhookSecrets secrets, WebhookIntake intake) {
        this.secrets = secrets;
        this.intake = intake;
    }

    @POST
    @WithTransaction
    @Operation(summary = "Store a secret for a sender and a repository URL or image name ('*' for all of the sender's)")
    public Uni<Response> add(NewSecret body) {
        if (body == null || body.sender() == null || body.secret() == null || body.secret().isBlank()) {
            throw new IllegalArgumentException("sender and secret are required");
        }
        if (body.secret().length() < 16) {
            throw new IllegalArgumentException("secret: at least 16 characters");
        }
        WebhookProvider provider = Arrays.stream(WebhookProvider.Kind.values())
                .map(k -> intake.provider(body.sender(), k).orElse(null))
                .filter(java.util.Objects::nonNull).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sender: no webhook sender named '" + body.sender() + "'"));
        String subject = canonicalSubject(provider.kind(), body.subject());
        return secrets.add(provider.sender(), subject, body.secret())
                .map(s -> Response.status(Response.Status.CREATED).entity(SecretView.of(s)).build());
    }

    @GET
    @WithSession
    @Operation(summary = "Stored secrets (without their values)")
    public Uni<List<SecretView>> list(@QueryParam("sender") String sender) {
        var rows = sender == null ? WebhookSecret.<WebhookSecret>listAll() : WebhookSecret.<WebhookSecret>list("sender", sender);
        return rows.map(l -> l.stream().map(SecretView::of).toList());
    }

    @DELETE
    @Path("/{id}")
    @WithTransaction
    @Operation(summary = "Remove a stored secret (the last step of a rotation)")
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return WebhookSecret.deleteById(id).map(deleted -> {
            if (!deleted) {
                throw new NotFoundException("no webhook secret " + id);
            }
            return Response.noContent().build();
        });
    }

    private static String canonicalSubject(WebhookProvider.Kind kind, String subject) {
        if (subject == null || subject.isBlank() || subject.equals(WebhookSecrets.ANY_SUBJECT)) {
            return WebhookSecrets.ANY_SUBJECT;
        }
        try {
            return kind == WebhookProvider.Kind.GIT
                    ? GitRepository.parse(subject).canonicalUrl()
                    : ImageRef.parse(subject).name();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("subject: " + e.getMessage());
        }
    }
}
