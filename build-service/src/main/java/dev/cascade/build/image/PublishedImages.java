package dev.cascade.build.image;

import dev.cascade.common.events.ImagePushed;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The image tags and digests published so far ({@code image_push}), and the one way one is published: once. */
@ApplicationScoped
class PublishedImages {

    private final Outbox outbox;

    PublishedImages(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Whether {@code image} at {@code digest} was published before. */
    Uni<Boolean> before(String image, String digest) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT count(*) FROM image_push WHERE image = ?1 AND digest = ?2",
                                Long.class)
                        .setParameter(1, image)
                        .setParameter(2, digest)
                        .getSingleResult())
                .map(n -> n > 0);
    }

    /**
     * Publishes the push through the outbox, in the caller's transaction, unless the same image and digest was published
     * before.
     *
     * @param buildId the build that pushed it; null for a push from outside
     * @return whether it was published
     */
    Uni<Boolean> once(UUID eventId, ImagePushed pushed, Causation causation, UUID buildId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO image_push (image, digest, event_id, pipeline_id, build_id, published_at)
                                VALUES (?1, ?2, ?3, ?4, ?5, now()) ON CONFLICT DO NOTHING""")
                        .setParameter(1, pushed.image())
                        .setParameter(2, pushed.digest())
                        .setParameter(3, eventId)
                        .setParameter(4, causation.pipelineId())
                        .setParameter(5, buildId)
                        .executeUpdate())
                .chain(inserted -> inserted == 0 ? Uni.createFrom().item(false)
                        : outbox.add(eventId, pushed, causation).replaceWith(true));
    }
}
