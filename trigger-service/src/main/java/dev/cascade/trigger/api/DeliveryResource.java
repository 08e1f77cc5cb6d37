package dev.cascade.trigger.api;

import dev.cascade.trigger.intake.Delivery;
import dev.cascade.trigger.intake.DeliveryEvent;
import dev.cascade.trigger.intake.WebhookIntake;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The webhook deliveries trigger-service answered: what each was and what became of it. */
@Path("/api/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class DeliveryResource {

    /** REST view of a delivery (never its body, never a secret). */
    public record DeliveryView(UUID id, String sender, String event, String status, String reason, String subject,
                               UUID pipelineId, List<UUID> pipelineIds, UUID duplicateOf, UUID redeliveryOf,
                               OffsetDateTime receivedAt) {
        static DeliveryView of(Delivery d, List<UUID> pipelineIds) {
            return new DeliveryView(d.id, d.sender, d.eventName, d.status.dbValue(), d.reason, d.subject, d.pipelineId,
                    pipelineIds, d.duplicateOf, d.redeliveryOf, d.receivedAt);
        }
    }

    private final WebhookIntake intake;

    public DeliveryResource(WebhookIntake intake) {
        this.intake = intake;
    }

    @GET
    @WithSession
    @Operation(summary = "Deliveries, newest first; filter by sender and by status (accepted, duplicate, ignored, rejected)")
    public Uni<List<DeliveryView>> list(@QueryParam("sender") String sender, @QueryParam("status") String status,
                                        @QueryParam("limit") @DefaultValue("100") int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (sender != null) {
            q.append(" and sender = :sender");
            p.and("sender", sender);
        }
        if (status != null) {
            Delivery.Status s;
            try {
                s = Delivery.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status must be accepted, duplicate, ignored or rejected, not '" + status + "'");
            }
            q.append(" and status = :status");
            p.and("status", s);
        }
        int size = Math.max(1, Math.min(limit, 1000));
        return Delivery.<Delivery>find(q.toString(), Sort.descending("receivedAt"), p).page(0, size).list()
                .map(list -> list.stream().map(d -> DeliveryView.of(d, null)).toList());
    }

    @GET
    @Path("/{id}")
    @WithSession
    @Operation(summary = "One delivery with the pipelines it started")
    public Uni<DeliveryView> get(@PathParam("id") UUID id) {
        return find(id).chain(d -> DeliveryEvent.<DeliveryEvent>list("deliveryId", d.duplicateOf != null ? d.duplicateOf : d.id)
                .map(events -> DeliveryView.of(d, new ArrayList<>(events.stream().map(e -> e.pipelineId).distinct().toList()))));
    }

    @POST
    @Path("/{id}/redeliver")
    @Operation(summary = "Run a stored delivery through the intake again, starting new pipelines")
    public Uni<Response> redeliver(@PathParam("id") UUID id) {
        return io.quarkus.hibernate.reactive.panache.Panache.withSession(() -> find(id))
                .chain(original -> {
                    if (original.body == null) {
                        throw new IllegalArgumentException("delivery " + id + " was " + original.status.dbValue()
                                + " and its body was not kept; only accepted or ignored deliveries can be redelivered");
                    }
                    return intake.redeliver(original);
                })
                .map(WebhookResource::answer);
    }

    private static Uni<Delivery> find(UUID id) {
        return Delivery.<Delivery>findById(id).onItem().ifNull().failWith(() -> new NotFoundException("no delivery " + id));
    }
}
