package dev.cascade.build.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.ImageReported;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The one publisher of {@code cascade.image.pushed}: exactly one event per image tag and digest. build-service pushed
 * its builds' images itself, so it knows them first and without a view that could lag:
 * <ul>
 * <li>a build that succeeded publishes its image, in its pipeline, caused by its {@code cascade.build.succeeded};</li>
 * <li>a registry's report ({@code cascade.image.reported}) of an image published before changes nothing;</li>
 * <li>a report of a tag that a build is pushing (started, or queued again after an attempt that may have pushed) is
 *     held for that build, with no timer: the build's end settles it. Its success with the reported digest makes the
 *     report its own push (nothing more is published); any other end publishes the report in the build's pipeline,
 *     caused by the build's last event;</li>
 * <li>any other report is a push from outside: published as the root of the report's pipeline, under the report's id
 *     (its CloudEvents source differs), so a pipeline started by a registry's report has the report's id.</li>
 * </ul>
 * The build's row is locked while a report is held for it and while its end is recorded, so a report is never held for
 * a build that has already ended. Everything runs in the caller's transaction.
 */
@ApplicationScoped
public class ImagePushes {

    /** The sender named in the pushes of builds' own images. */
    public static final String BUILD_SENDER = "build";

    private final Outbox outbox;
    private final ObjectMapper json;
    private final RegistryAliases aliases;

    public ImagePushes(Outbox outbox, ObjectMapper json, RegistryAliases aliases) {
        this.outbox = outbox;
        this.json = json;
        this.aliases = aliases;
    }

    /**
     * A build ended, its final event written in this transaction under {@code causation}: its image is published when it
     * succeeded, and the reports held for it are settled.
     *
     * @param image  the build's output image, {@code registry/repository:tag}
     * @param digest the digest it pushed (null unless it succeeded)
     */
    public Uni<Void> buildEnded(UUID buildId, BuildStatus status, String image, String digest, Causation causation) {
        boolean succeeded = status == BuildStatus.SUCCEEDED;
        // the build's row is locked first, as a report held for it locks it: no report is held for a build that has ended
        return lockBuild(buildId)
                .chain(() -> succeeded && image != null && digest != null ? publishOwn(buildId, image, digest, causation)
                        : Uni.createFrom().voidItem())
                .chain(() -> settleHeldFor(buildId, succeeded ? digest : null, causation));
    }

    private Uni<Void> publishOwn(UUID buildId, String image, String digest, Causation causation) {
        ImagePushed pushed = ownPush(buildId, image, digest);
        if (pushed == null) {
            return Uni.createFrom().voidItem();
        }
        return publishOnce(UUID.randomUUID(), pushed, causation, buildId).invoke(published -> Log.infof(published
                        ? "build %s pushed %s@%s: published in pipeline %s"
                        : "build %s pushed %s@%s: published before (pipeline %s is not its first)",
                buildId, pushed.image(), digest, causation.pipelineId())).replaceWithVoid();
    }

    private static Uni<Void> lockBuild(UUID buildId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT id FROM build WHERE id = ?1 FOR UPDATE", UUID.class)
                        .setParameter(1, buildId)
                        .getResultList())
                .replaceWithVoid();
    }

    /** Takes a registry's report of a push: nothing when published before, held for the build pushing that tag, or published. */
    public Uni<Void> reported(ReceivedEvent<ImageReported> event) {
        ImageReported report = event.data();
        String image;
        try {
            image = ImageRef.parse(report.image()).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new UnprocessableEventException("image reported with an invalid reference: " + e.getMessage());
        }
        return publishedBefore(report.image(), report.digest()).chain(before -> {
            if (before) {
                Log.infof("report of %s@%s (delivery %s): published before", report.image(), report.digest(), report.deliveryId());
                return Uni.createFrom().voidItem();
            }
            return buildPushing(image).chain(build -> build == null
                    // a push from outside is the root of its pipeline, under the report's id, as the report's pipeline id says
                    ? publishOnce(event.id(), report.asPush(), Causation.root(event.id()), null).invoke(published -> Log.infof(
                            "report of %s@%s (delivery %s): a push from outside, published in pipeline %s",
                            report.image(), report.digest(), report.deliveryId(), event.pipelineId())).replaceWithVoid()
                    : hold(event, build));
        });
    }

    private ImagePushed ownPush(UUID buildId, String image, String digest) {
        try {
            ImageRef ref = ImageRef.parse(image, aliases);
            if (ref.tag() == null) {
                return null;
            }
            return new ImagePushed(ref.taggedName(), ref.registry(), ref.repository(), ref.tag(), digest, null, BUILD_SENDER,
                    buildId.toString());
        } catch (IllegalArgumentException e) {
            Log.warnf("build %s succeeded with an image reference that cannot be read (%s); no image push is published",
                    buildId, e.getMessage());
            return null;
        }
    }

    private static Uni<Boolean> publishedBefore(String image, String digest) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT count(*) FROM image_push WHERE image = ?1 AND digest = ?2",
                        Long.class)
                .setParameter(1, image)
                .setParameter(2, digest)
                .getSingleResult())
                .map(n -> n > 0);
    }

    /** The build pushing {@code image} now, locked until this transaction ends; null when none is. */
    private static Uni<UUID> buildPushing(String image) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                SELECT id FROM build WHERE image = ?1 AND (status = 'STARTED' OR (status = 'QUEUED' AND attempt > 0))
                                ORDER BY created_at DESC LIMIT 1 FOR UPDATE""", UUID.class)
                        .setParameter(1, image)
                        .getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }

    private Uni<Void> hold(ReceivedEvent<ImageReported> event, UUID buildId) {
        ImageReported report = event.data();
        String payload;
        try {
            payload = json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("image report cannot be written as JSON", e));
        }
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO held_image_report (event_id, build_id, image, digest, payload, received_at)
                                VALUES (?1, ?2, ?3, ?4, ?5, now()) ON CONFLICT DO NOTHING""")
                        .setParameter(1, event.id())
                        .setParameter(2, buildId)
                        .setParameter(3, report.image())
                        .setParameter(4, report.digest())
                        .setParameter(5, payload)
                        .executeUpdate())
                .invoke(() -> Log.infof("report of %s@%s (delivery %s): held until build %s ends", report.image(), report.digest(),
                        report.deliveryId(), buildId))
                .replaceWithVoid();
    }

    /** Settles the reports held for a build: the one of the digest it pushed is its own; the others are published. */
    private Uni<Void> settleHeldFor(UUID buildId, String pushedDigest, Causation causation) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                                "DELETE FROM held_image_report WHERE build_id = ?1 RETURNING digest, payload", Object[].class)
                        .setParameter(1, buildId)
                        .getResultList())
                .chain(held -> Multi.createFrom().iterable(held)
                        .onItem().transformToUniAndConcatenate(row -> settle(buildId, (String) row[0], (String) row[1], pushedDigest,
                                causation))
                        .collect().asList())
                .replaceWithVoid();
    }

    private Uni<Void> settle(UUID buildId, String digest, String payload, String pushedDigest, Causation causation) {
        if (digest.equals(pushedDigest)) {
            return Uni.createFrom().voidItem();
        }
        ImageReported report;
        try {
            report = json.readValue(payload, ImageReported.class);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalStateException("held image report of build " + buildId + " is unreadable", e));
        }
        return publishOnce(UUID.randomUUID(), report.asPush(), causation, null)
                .invoke(published -> Log.infof("report of %s@%s held for build %s: %s", report.image(), digest, buildId,
                        published ? "not its push; published in pipeline " + causation.pipelineId() : "published meanwhile"))
                .replaceWithVoid();
    }

    /**
     * Publishes the push through the outbox unless the same image and digest was published before.
     *
     * @return whether it was published
     */
    private Uni<Boolean> publishOnce(UUID eventId, ImagePushed pushed, Causation causation, UUID buildId) {
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
