package dev.cascade.build.image;

import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.ImageReported;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
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
 *     held for that build, with no timer: the build's end settles it ({@link HeldReports}). A success with the
 *     reported digest makes the report its own push (nothing more is published); any other end publishes the report
 *     in the build's pipeline, caused by the build's last event;</li>
 * <li>any other report is a push from outside: published as the root of the report's pipeline, under the report's id
 *     (its CloudEvents source differs), so a pipeline started by a registry's report has the report's id;</li>
 * <li>a watched tag that a check found at a new digest ({@link #polled}) is taken as a registry's report is, with sender
 *     {@code poll}: published before, held for the build pushing that tag, or published as the root of a new pipeline.</li>
 * </ul>
 * A registry's webhook is only a hint: what no build of Cascade confirms (a push from outside, a held report its build did
 * not push) is confirmed with the registry first, and refused when the registry does not serve it ({@link ReportChecks}).
 * The build's row is locked while a report is held for it and while its end is recorded, so a report is never held for
 * a build that has already ended. Everything runs in the caller's transaction.
 */
@ApplicationScoped
public class ImagePushes {

    /** The sender named in the pushes of builds' own images. */
    public static final String BUILD_SENDER = "build";

    /** The sender named in the pushes that a check of a watched tag found. */
    public static final String POLL_SENDER = "poll";

    private final PublishedImages published;
    private final HeldReports held;
    private final ReportChecks checks;
    private final RegistryAliases aliases;

    ImagePushes(PublishedImages published, HeldReports held, ReportChecks checks, RegistryAliases aliases) {
        this.published = published;
        this.held = held;
        this.checks = checks;
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
        boolean succeeded = status == BuildStatus.SUCCEEDED && digest != null;
        ImagePushed own = succeeded && image != null ? ownPush(buildId, image, digest) : null;
        // the build's row is locked first, as a report held for it locks it: no report is held for a build that has ended
        return lockBuild(buildId)
                .chain(() -> own == null ? Uni.createFrom().voidItem() : publishOwn(buildId, own, causation))
                .chain(() -> held.settle(buildId, own != null ? own.image() : image, succeeded ? digest : null, causation));
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
        return fromOutside(event.id(), report, image, false);
    }

    /**
     * A check of a watched tag found it at a digest other than the one it found before: taken as a registry's report of
     * that push, with sender {@code poll}, in the caller's transaction (the one that records the digest on the watched tag).
     *
     * @param ref the watched tag, canonical
     */
    public Uni<Void> polled(ImageRef ref, String digest) {
        UUID id = UUID.randomUUID();
        ImageReported report = new ImageReported(ref.taggedName(), ref.registry(), ref.repository(), ref.tag(), digest, null,
                POLL_SENDER, id.toString());
        return fromOutside(id, report, ref.taggedName(), true);
    }

    /**
     * A push nobody in Cascade made, reported under {@code eventId}: nothing when published before, held, or published;
     * a webhook's report is confirmed with the registry first, a digest read from the registry itself is not asked again.
     */
    private Uni<Void> fromOutside(UUID eventId, ImageReported report, String image, boolean fromRegistry) {
        return published.before(report.image(), report.digest()).chain(before -> {
            if (before) {
                Log.infof("report of %s@%s (delivery %s): published before", report.image(), report.digest(), report.deliveryId());
                return Uni.createFrom().voidItem();
            }
            return HeldReports.buildPushing(image, null).chain(build -> {
                if (build != null) {
                    return held.hold(eventId, report, build);
                }
                if (fromRegistry) {
                    return published.once(eventId, report.asPush(), Causation.root(eventId), null).invoke(done -> Log.infof(
                            "%s@%s (%s): a push from outside, published in pipeline %s",
                            report.image(), report.digest(), report.sender(), eventId)).replaceWithVoid();
                }
                return checks.unconfirmed(eventId, report, null).invoke(() -> Log.infof(
                        "report of %s@%s (delivery %s): a push from outside, for pipeline %s", report.image(), report.digest(),
                        report.deliveryId(), eventId));
            });
        });
    }

    private Uni<Void> publishOwn(UUID buildId, ImagePushed pushed, Causation causation) {
        return published.once(UUID.randomUUID(), pushed, causation, buildId).invoke(done -> Log.infof(done
                        ? "build %s pushed %s@%s: published in pipeline %s"
                        : "build %s pushed %s@%s: published before (pipeline %s is not its first)",
                buildId, pushed.image(), pushed.digest(), causation.pipelineId())).replaceWithVoid();
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

    private static Uni<Void> lockBuild(UUID buildId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT id FROM build WHERE id = ?1 FOR UPDATE", UUID.class)
                        .setParameter(1, buildId)
                        .getResultList())
                .replaceWithVoid();
    }
}
