package dev.cascade.deploy.rollout;

import dev.cascade.common.events.BuildEvent;
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

    /** A canary that follows an image a build of the pipeline has yet to push. */
    public record Awaited(WorkloadRef canary, String image, String config) {
        /** Why a rollout of the pipeline waits for it. */
        public String reason() {
            return "waiting for canary " + canary.key() + ": the cascade's build of " + config + " has yet to push " + image;
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
     * @return whether an expectation was dropped, so that rollouts waiting for it may go ahead
     */
    public Uni<Boolean> buildChanged(UUID pipelineId, BuildEvent build) {
        Optional<String> image = canonical(build.image());
        if (image.isEmpty()) {
            return Uni.createFrom().item(false); // a build without an output image pushes nothing a workload follows
        }
        return PipelineLock.take(pipelineId)
                .chain(() -> ExpectedBuild.<ExpectedBuild>findById(build.buildId()))
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
     * The first canary, in the order the pipeline's builds were queued, that follows an image a build of the pipeline has
     * yet to push (paused canaries take no part, as in the planner). Runs in the caller's session.
     */
    public Uni<Optional<Awaited>> awaitedCanary(UUID pipelineId) {
        return ExpectedBuild.<ExpectedBuild>list("pipelineId = ?1 order by createdAt, buildId", pipelineId).chain(expected -> {
            if (expected.isEmpty()) {
                return Uni.createFrom().item(Optional.<Awaited>empty());
            }
            return followers.all().chain(all -> CanaryNamespace.<CanaryNamespace>listAll()
                    .chain(namespaces -> WorkloadPause.<WorkloadPause>listAll().map(pauses -> {
                        Set<String> canaryNamespaces = namespaces.stream().map(n -> n.namespace).collect(Collectors.toSet());
                        Set<WorkloadRef> paused = pauses.stream().map(p -> p.workload).collect(Collectors.toSet());
                        List<Followers.Candidate> canaries = all.stream()
                                .filter(c -> Canaries.isCanary(c.workload().annotations(), canaryNamespaces.contains(c.workload().ref().namespace())))
                                .filter(c -> !paused.contains(c.workload().ref()))
                                .toList();
                        List<Candidate> found = new ArrayList<>();
                        for (ExpectedBuild e : expected) {
                            ImageRef ref = ImageRef.parse(e.image, aliases);
                            canaries.stream().filter(c -> followers.follows(c, ref)).findFirst()
                                    .ifPresent(c -> found.add(new Candidate(new Awaited(c.workload().ref(), e.image, e.config), e)));
                        }
                        return found;
                    })))
                    .chain(this::firstStillAwaited);
        });
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
