package dev.cascade.trigger.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one rule for publishing {@code cascade.image.pushed}: exactly one event per image tag and digest,
 * whichever reports it first (a registry webhook, or the success of the build that pushed it), and in
 * the pipeline of the build that made the image when there is one. Runs in the caller's transaction.
 *
 * <p>A registry reports a build's push before the build reports its success. The report joins the pipeline of the
 * build of that tag that the pipeline view shows running; but the view follows the builds' events and may lag
 * behind (after a broker outage, a restart, a database outage). So a report of a tag Cascade builds that no running
 * build explains is held: the build's success claims it, in the build's pipeline; one nobody claims within
 * {@code cascade.images.build-report-wait} was a push from outside, and goes out in a pipeline of its own.
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

    /** What became of a registry's report of a push. */
    public enum Taken {
        /** published now, in the pipeline {@link RegistryReport#pipelineId()} */
        PUBLISHED,
        /** reported before (or held already): nothing new */
        REPORTED_BEFORE,
        /** held for the build that made the image to report it */
        HELD
    }

    /** A registry's report as it was taken. */
    public record RegistryReport(Taken taken, UUID pipelineId) {
    }

    private final Outbox outbox;
    private final ObjectMapper json;
    private final Duration buildReportWait;

    public ImagePushes(Outbox outbox, ObjectMapper json,
                       @ConfigProperty(name = "cascade.images.build-report-wait", defaultValue = "2m") Duration buildReportWait) {
        this.outbox = outbox;
        this.json = json;
        this.buildReportWait = buildReportWait;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(Duration.ofSeconds(1), "held image pushes", this::releaseUnclaimed);
    }

    /** How long a held report waits for a build to claim it. */
    public Duration buildReportWait() {
        return buildReportWait;
    }

    /**
     * Takes a registry's report of a push (its event id chosen by the caller): in the pipeline of the build of that
     * tag that runs now; held, when Cascade builds that tag but the view knows no build of it running; else in a
     * pipeline of its own.
     */
    public Uni<RegistryReport> fromRegistry(UUID eventId, ImagePushed event, UUID deliveryId) {
        return causationOfRegistryPush(eventId, event.image()).chain(causation -> {
            if (!causation.pipelineId().equals(eventId)) {
                return publish(eventId, event, causation, deliveryId);
            }
            return PipelineNode.count("kind = ?1 and image = ?2", PipelineNode.BUILD, event.image())
                    .chain(builds -> builds == 0 ? publish(eventId, event, causation, deliveryId) : hold(eventId, event, deliveryId));
        });
    }

    private Uni<RegistryReport> publish(UUID eventId, ImagePushed event, Causation causation, UUID deliveryId) {
        return publishOnce(eventId, event, causation, Reporter.delivery(deliveryId))
                .map(published -> published ? new RegistryReport(Taken.PUBLISHED, causation.pipelineId())
                        : new RegistryReport(Taken.REPORTED_BEFORE, null));
    }

    private Uni<RegistryReport> hold(UUID eventId, ImagePushed event, UUID deliveryId) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("image push cannot be written as JSON", e));
        }
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO held_image_push (image, digest, event_id, delivery_id, payload, held_until)
                                SELECT ?1, ?2, ?3, ?4, ?5, now() + make_interval(secs => ?6)
                                WHERE NOT EXISTS (SELECT 1 FROM image_push_seen WHERE image = ?1 AND digest = ?2)
                                ON CONFLICT DO NOTHING""")
                        .setParameter(1, event.image())
                        .setParameter(2, event.digest())
                        .setParameter(3, eventId)
                        .setParameter(4, deliveryId)
                        .setParameter(5, payload)
                        .setParameter(6, (double) buildReportWait.toMillis() / 1000)
                        .executeUpdate())
                .invoke(held -> {
                    if (held == 1) {
                        Log.infof("push of %s@%s held: no build of it is known to run; waiting up to %d s for the build that made it",
                                event.image(), event.digest(), buildReportWait.toSeconds());
                    }
                })
                .map(held -> new RegistryReport(held == 1 ? Taken.HELD : Taken.REPORTED_BEFORE, null));
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
                        : outbox.add(eventId, event, causation)
                                .replaceWith(true));
    }

    /**
     * A build reported {@code pushed} (published as {@code eventId} in {@code pipelineId} when {@code published}): a
     * registry report held for the same push is settled, and its delivery linked to that pipeline.
     */
    public Uni<Void> claimHeld(ImagePushed pushed, boolean published, UUID eventId, UUID pipelineId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                                "DELETE FROM held_image_push WHERE image = ?1 AND digest = ?2 RETURNING delivery_id", UUID.class)
                        .setParameter(1, pushed.image())
                        .setParameter(2, pushed.digest())
                        .getResultList())
                .chain(deliveries -> !published || deliveries.isEmpty() ? Uni.createFrom().voidItem()
                        : linkDelivery(deliveries.get(0), eventId, pipelineId, pushed.key()));
    }

    /** Publishes, each in a pipeline of its own, the held reports no build claimed in time; one instance takes each. */
    Uni<Void> releaseUnclaimed() {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("""
                                SELECT image, digest, event_id, delivery_id, payload FROM held_image_push WHERE held_until <= now()
                                ORDER BY held_until LIMIT 50 FOR UPDATE SKIP LOCKED""", Object[].class)
                        .getResultList())
                .chain(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::release).collect().asList())
                .replaceWithVoid());
    }

    private Uni<Void> release(Object[] row) {
        String image = (String) row[0];
        String digest = (String) row[1];
        UUID eventId = (UUID) row[2];
        UUID deliveryId = (UUID) row[3];
        ImagePushed event;
        try {
            event = json.readValue((String) row[4], ImagePushed.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalStateException("held image push " + image + "@" + digest + " is unreadable", e));
        }
        Causation causation = Causation.root(eventId);
        return publishOnce(eventId, event, causation, Reporter.delivery(deliveryId))
                .call(published -> {
                    Log.infof(published ? "push of %s@%s: no build claimed it within %d s; published as a push from outside"
                            : "push of %s@%s: reported meanwhile (no longer held after %d s)", image, digest, buildReportWait.toSeconds());
                    return published ? linkDelivery(deliveryId, eventId, causation.pipelineId(), event.key()) : Uni.createFrom().voidItem();
                })
                .chain(() -> Panache.getSession().chain(s -> s.createNativeQuery("DELETE FROM held_image_push WHERE image = ?1 AND digest = ?2")
                        .setParameter(1, image)
                        .setParameter(2, digest)
                        .executeUpdate()))
                .replaceWithVoid();
    }

    /** Records that the delivery's push went out as {@code eventId} in {@code pipelineId}. */
    private static Uni<Void> linkDelivery(UUID deliveryId, UUID eventId, UUID pipelineId, String key) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO delivery_event (event_id, delivery_id, event_type, event_key, pipeline_id)
                                VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING""")
                        .setParameter(1, eventId)
                        .setParameter(2, deliveryId)
                        .setParameter(3, EventTypes.IMAGE_PUSHED)
                        .setParameter(4, key)
                        .setParameter(5, pipelineId)
                        .executeUpdate()
                        .chain(() -> s.createNativeQuery("UPDATE delivery SET pipeline_id = ?2 WHERE id = ?1 AND pipeline_id IS NULL")
                                .setParameter(1, deliveryId)
                                .setParameter(2, pipelineId)
                                .executeUpdate()))
                .replaceWithVoid();
    }
}
