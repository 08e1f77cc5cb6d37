package dev.cascade.trigger.pipeline;

import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The one rule for publishing {@code cascade.image.pushed}: exactly one event per image tag and digest,
 * whichever reports it first (a registry webhook, or the success of the build that pushed it), and in
 * the pipeline of the build that made the image when there is one. Runs in the caller's transaction.
 */
@ApplicationScoped
public class ImagePushes {

    /** Who reported a push: a webhook delivery, or a build (with the event that reported its success). */
    public record Reporter(UUID deliveryId, String buildId, UUID buildEventId) {

        public static Reporter delivery(UUID deliveryId) {
            return new Reporter(deliveryId, null, null);
        }

        public static Reporter build(String buildId, UUID buildEventId) {
            return new Reporter(null, buildId, buildEventId);
        }
    }

    private final Outbox outbox;

    public ImagePushes(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Where a push a registry reports belongs: in the pipeline of a build of that image that is running or
     * queued now (caused by the build's latest event), else in a pipeline of its own.
     *
     * @param image canonical {@code registry/repository:tag}
     */
    public Uni<Causation> causationOfRegistryPush(UUID eventId, String image) {
        // queued counts too: the view may not have heard of the start yet when the registry reports the push
        return PipelineNode.<PipelineNode>find("kind = ?1 and image = ?2 and status in ?3 order by coalesce(startedAt, queuedAt) desc",
                        PipelineNode.BUILD, image, java.util.List.of(NodeStatuses.of(BuildStatus.STARTED), NodeStatuses.of(BuildStatus.QUEUED)))
                .firstResult()
                .map(build -> build == null ? Causation.root(eventId) : new Causation(build.pipelineId, build.lastEventId));
    }

    /**
     * Publishes the push through the outbox unless one for the same image and digest was published before.
     *
     * @return whether it was published
     */
    public Uni<Boolean> publishOnce(UUID eventId, ImagePushed event, Causation causation, Reporter reporter) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO image_push_seen (image, digest, event_id, delivery_id, build_id, build_event_id, pipeline_id)
                                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING""")
                        .setParameter(1, event.image())
                        .setParameter(2, event.digest())
                        .setParameter(3, eventId)
                        .setParameter(4, reporter.deliveryId())
                        .setParameter(5, reporter.buildId())
                        .setParameter(6, reporter.buildEventId())
                        .setParameter(7, causation.pipelineId())
                        .executeUpdate())
                .chain(inserted -> inserted == 0
                        ? Uni.createFrom().item(false)
                        : outbox.add(eventId, Topics.IMAGES, event.key(), EventTypes.IMAGE_PUSHED, causation, event.image(), event)
                                .replaceWith(true));
    }
}
