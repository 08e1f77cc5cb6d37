package dev.cascade.deploy.rollout;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.CascadePlanned;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.deploy.kube.WorkloadRef;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What each pipeline will still push, learned from build-service's {@code cascade.build.*} events before the images are
 * pushed: a build queued or started may push its config's output image; one that succeeded has pushed it and its image
 * push is on its way; one that failed, was cancelled or skipped pushes nothing. An image push received for a pipeline
 * settles its builds of that image. So deploy-service can tell, while a base-image cascade is still building, whether a
 * canary will roll out in it ({@link #awaitedCanary}), and {@link CanaryGates} holds the rest back until it has.
 *
 * <p>Every change takes the pipeline's lock ({@link PipelineLock}), as the canary stage's placements do, so a build's
 * event and the push of its image, taken by two consumers (or two replicas) at once, leave no stale expectation.
 */
@ApplicationScoped
public class ExpectedImages {

    /** Why the pipeline's other rollouts wait for a canary: a build of the pipeline has yet to push its image, or may. */
    public record Awaited(String reason) {

        /** A build of the pipeline has yet to push an image the canary follows. */
        static Awaited build(WorkloadRef canary, String image, String config) {
            return new Awaited("waiting for canary " + canary.key() + ": the cascade's build of " + config + " has yet to push " + image);
        }

        /** Not every build of the cascade is known yet, and one of them may make the canary's image. */
        static Awaited plan(WorkloadRef canary, String incomplete) {
            return new Awaited("waiting for the cascade's plan, since a build of it may make the image of canary "
                    + canary.key() + ": " + incomplete);
        }

        /** The cascade of an earlier push that this push joined has its canaries under way, held or aborted. */
        static Awaited joined(UUID cascade, CanaryStage stage) {
            return new Awaited("waiting for the canaries of pipeline " + cascade + ", whose cascade this push joined: "
                    + stage.status.name().toLowerCase(java.util.Locale.ROOT) + (stage.reason == null ? "" : " (" + stage.reason + ")"));
        }

        /** What the cascade of an earlier push that this push joined waits for. */
        Awaited in(UUID cascade) {
            return new Awaited(reason + " (in the cascade of pipeline " + cascade + ", which this push joined)");
        }
    }

    private final Followers followers;
    private final RegistryAliases aliases;

    public ExpectedImages(Followers followers, RegistryAliases aliases) {
        this.followers = followers;
        this.aliases = aliases;
    }

    /**
     * Takes one build event of the pipeline, in the consumer's transaction.
     *
     * @return whether an expectation was dropped, or the cascade is now known whole, so that rollouts waiting may go ahead
     */
    public Uni<Boolean> buildChanged(UUID pipelineId, UUID causationId, BuildEvent build) {
        // a base image push's plan queues its builds under the push's own id, the pipeline's id for a root push
        boolean planned = build.status() == BuildStatus.QUEUED && pipelineId.equals(causationId);
        return PipelineLock.take(pipelineId)
                .chain(() -> planned ? CascadePlans.queuedBuildRead(pipelineId) : Uni.createFrom().item(false))
                .chain(planComplete -> expectation(pipelineId, build).map(dropped -> dropped || planComplete));
    }

    /** The root push of a base-image cascade was read: until its plan is, the cascade's builds are unknown. In a transaction. */
    public Uni<Void> cascadeStarted(UUID pipelineId) {
        return PipelineLock.take(pipelineId).chain(() -> CascadePlans.rootRead(pipelineId));
    }

    /**
     * build-service's plan of a base image push's cascade was read, in the consumer's transaction. Rollouts waiting for
     * the plan may go ahead now, or wait for what it names: the caller has the driver review them once committed.
     */
    public Uni<Void> planned(UUID pipelineId, UUID causationId, CascadePlanned plan) {
        if (!pipelineId.equals(causationId)) {
            return Uni.createFrom().voidItem(); // the plan of a push that is not its pipeline's root: no rollout waits for it
        }
        return PipelineLock.take(pipelineId).chain(() -> CascadePlans.planRead(pipelineId, plan.builds(), plan.cascadePipeline()));
    }

    private Uni<Boolean> expectation(UUID pipelineId, BuildEvent build) {
        Optional<String> image = canonical(build.image());
        if (image.isEmpty()) {
            return Uni.createFrom().item(false); // a build without an output image pushes nothing a workload follows
        }
        return ExpectedBuild.<ExpectedBuild>findById(build.buildId())
                .chain(row -> switch (build.status()) {
                    case QUEUED, STARTED -> pushedIn(pipelineId, image.get()).chain(pushed -> pushed ? drop(row)
                            : expect(row, pipelineId, build, image.get(), ExpectedBuild.Status.valueOf(build.status().name())));
                    case SUCCEEDED -> pushedIn(pipelineId, image.get())
                            .chain(pushed -> pushed || build.digest() == null ? Uni.createFrom().item(true) : published(image.get(), build.digest()))
                            // a digest published before (in another pipeline) is not published again: no push will come
                            .chain(settled -> settled ? drop(row)
                                    : expect(row, pipelineId, build, image.get(), ExpectedBuild.Status.SUCCEEDED));
                    default -> drop(row);
                });
    }

    /** The pipeline's push of {@code image} (canonical, a tag) was received: its builds of it are expected no more. In a transaction. */
    public Uni<Void> pushed(UUID pipelineId, String image) {
        Optional<String> canonical = canonical(image);
        if (canonical.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return PipelineLock.take(pipelineId)
                .chain(() -> ExpectedBuild.delete("pipelineId = ?1 and image = ?2", pipelineId, canonical.get()))
                .replaceWithVoid();
    }

    /**
     * The canary a base-image cascade's other rollouts wait for, if any. While the cascade's plan is not known whole
     * ({@link CascadePlans}), any canary may be one a build still unread makes an image for: the first canary waits. Then
     * it is the first canary, in the order the pipeline's builds were queued, that follows an image a build of the
     * pipeline has yet to push. Paused canaries take no part, as in the planner. A push that joined an earlier push's
     * open cascade waits for what that cascade waits for, and for its canaries until they have passed. Runs in the
     * caller's session.
     */
    public Uni<Optional<Awaited>> awaitedCanary(UUID pipelineId) {
        return CascadePlans.counts(pipelineId).chain(counts -> {
            UUID joined = counts.map(CascadePlans.Counts::joined).orElse(null);
            if (joined == null) {
                return awaitedIn(pipelineId, counts.flatMap(CascadePlans.Counts::incomplete));
            }
            return CascadePlans.counts(joined)
                    .chain(theirs -> awaitedIn(joined, theirs.flatMap(CascadePlans.Counts::incomplete)))
                    .chain(awaited -> awaited.isPresent() ? Uni.createFrom().item(awaited.map(a -> a.in(joined)))
                            : CanaryStage.<CanaryStage>findById(joined).map(stage -> stage == null || stage.status.letsThrough()
                                    ? Optional.<Awaited>empty() : Optional.of(Awaited.joined(joined, stage))));
        });
    }

    private Uni<Optional<Awaited>> awaitedIn(UUID pipelineId, Optional<String> incomplete) {
        return ExpectedBuild.<ExpectedBuild>list("pipelineId = ?1 order by createdAt, buildId", pipelineId)
                .chain(expected -> {
                    if (incomplete.isEmpty() && expected.isEmpty()) {
                        return Uni.createFrom().item(Optional.<Awaited>empty());
                    }
                    return canaries().chain(canaries -> {
                        if (canaries.isEmpty()) {
                            return Uni.createFrom().item(Optional.<Awaited>empty());
                        }
                        if (incomplete.isPresent()) {
                            return Uni.createFrom().item(Optional.of(Awaited.plan(canaries.get(0).workload().ref(), incomplete.get())));
                        }
                        List<Candidate> found = new ArrayList<>();
                        for (ExpectedBuild e : expected) {
                            ImageRef ref = ImageRef.parse(e.image, aliases);
                            canaries.stream().filter(c -> followers.follows(c, ref)).findFirst()
                                    .ifPresent(c -> found.add(new Candidate(Awaited.build(c.workload().ref(), e.image, e.config), e)));
                        }
                        return firstStillAwaited(found);
                    });
                });
    }

    /** The watched workloads that are canaries and not paused. Runs in the caller's session. */
    private Uni<List<Followers.Candidate>> canaries() {
        return followers.all().chain(all -> CanaryNamespace.<CanaryNamespace>listAll()
                .chain(namespaces -> WorkloadPause.<WorkloadPause>listAll().map(pauses -> {
                    Set<String> canaryNamespaces = namespaces.stream().map(n -> n.namespace).collect(Collectors.toSet());
                    Set<WorkloadRef> paused = pauses.stream().map(p -> p.workload).collect(Collectors.toSet());
                    return all.stream()
                            .filter(c -> Canaries.isCanary(c.workload().annotations(), canaryNamespaces.contains(c.workload().ref().namespace())))
                            .filter(c -> !paused.contains(c.workload().ref()))
                            .toList();
                })));
    }

    /** A build's expectation and the canary it makes an image for. */
    private record Candidate(Awaited awaited, ExpectedBuild build) {
    }

    /** The first candidate whose image is still to come: a succeeded build's push is not, when its digest was published before. */
    private Uni<Optional<Awaited>> firstStillAwaited(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Candidate first = candidates.get(0);
        if (first.build().status != ExpectedBuild.Status.SUCCEEDED) {
            return Uni.createFrom().item(Optional.of(first.awaited()));
        }
        return published(first.build().image, first.build().digest).chain(published -> published
                ? firstStillAwaited(candidates.subList(1, candidates.size()))
                : Uni.createFrom().item(Optional.of(first.awaited())));
    }

    private static Uni<Boolean> expect(ExpectedBuild row, UUID pipelineId, BuildEvent build, String image, ExpectedBuild.Status status) {
        OffsetDateTime now = OffsetDateTime.now();
        ExpectedBuild e = row != null ? row : new ExpectedBuild();
        if (row == null) {
            e.buildId = build.buildId();
            e.pipelineId = pipelineId;
            e.config = build.config();
            e.image = image;
            e.createdAt = now;
            Log.debugf("pipeline %s: expects %s from %s #%d", pipelineId, image, build.config(), build.number());
        }
        e.status = status;
        e.digest = build.digest();
        e.updatedAt = now;
        return e.persist().replaceWith(false);
    }

    private static Uni<Boolean> drop(ExpectedBuild row) {
        if (row == null) {
            return Uni.createFrom().item(false);
        }
        Log.debugf("pipeline %s: expects %s from %s no more", row.pipelineId, row.image, row.config);
        return row.delete().replaceWith(true);
    }

    /** Whether the pipeline's push of the image has been received. */
    private static Uni<Boolean> pushedIn(UUID pipelineId, String image) {
        return count("SELECT count(*) FROM image_push WHERE pipeline_id = ?1 AND image = ?2", pipelineId, image);
    }

    /** Whether a push of the image at this digest has been received, in any pipeline. */
    private static Uni<Boolean> published(String image, String digest) {
        return count("SELECT count(*) FROM image_push WHERE image = ?1 AND digest = ?2", image, digest);
    }

    private static Uni<Boolean> count(String sql, Object first, Object second) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery(sql, Long.class).setParameter(1, first).setParameter(2, second).getSingleResult())
                .map(n -> n != null && n > 0);
    }

    private Optional<String> canonical(String image) {
        if (image == null || image.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageRef.parse(image, aliases).withoutDigest().toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
