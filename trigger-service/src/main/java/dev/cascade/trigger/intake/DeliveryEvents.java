package dev.cascade.trigger.intake;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.ImageReported;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The events a stored delivery causes, written through the outbox in the delivery's transaction and remembered
 * against it. A git push starts a pipeline of its own. A registry's report of a push is forwarded to build-service,
 * which decides whether it is a build's own push or one from outside; trigger-service forwards each image tag and
 * digest once, so the same report sent again (under another delivery id, or by two senders) is not forwarded twice.
 */
@ApplicationScoped
class DeliveryEvents {

    private final Outbox outbox;

    DeliveryEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Publishes a git push as the root of a new pipeline; its id is the pipeline's id. */
    Uni<UUID> sourcePushed(Delivery d, SourcePushed push) {
        UUID eventId = UUID.randomUUID();
        SourcePushed event = push.withDeliveryId(d.id.toString());
        return outbox.add(eventId, event, Causation.root(eventId))
                .chain(() -> remember(d, eventId, EventTypes.SOURCE_PUSHED, event.key()))
                .replaceWith(eventId);
    }

    /**
     * Forwards a registry's report of a push unless the same tag at the same digest was reported before; null then.
     * The report's id is the id of the pipeline that starts if build-service takes it for a push from outside.
     */
    Uni<UUID> imageReported(Delivery d, ImageReported image) {
        UUID eventId = UUID.randomUUID();
        ImageReported event = image.withDeliveryId(d.id.toString());
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO image_report (image, digest, event_id, delivery_id) VALUES (?1, ?2, ?3, ?4)
                                ON CONFLICT DO NOTHING""")
                        .setParameter(1, event.image())
                        .setParameter(2, event.digest())
                        .setParameter(3, eventId)
                        .setParameter(4, d.id)
                        .executeUpdate())
                .chain(inserted -> inserted == 0 ? Uni.createFrom().<UUID>nullItem()
                        : outbox.add(eventId, event, Causation.root(eventId))
                                .chain(() -> remember(d, eventId, EventTypes.IMAGE_REPORTED, event.key()))
                                .replaceWith(eventId));
    }

    private static Uni<Void> remember(Delivery d, UUID eventId, String type, String key) {
        DeliveryEvent e = new DeliveryEvent();
        e.eventId = eventId;
        e.deliveryId = d.id;
        e.pipelineId = eventId;
        e.type = type;
        e.key = key;
        return e.persist().replaceWithVoid();
    }
}
