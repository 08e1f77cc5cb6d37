package dev.cascade.deploy.rollout;

import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.target.ImageTrigger;
import dev.cascade.deploy.target.TargetIndex;
import dev.cascade.messaging.ReceivedEvent;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns an image push into rollouts: finds the watched containers that follow the image and stores a rollout for
 * each, as {@link RolloutDecision#admit} decides (planned, awaiting approval, paused, or superseded by a newer image).
 * {@link RolloutDriver} takes the planned ones from there.
 */
@ApplicationScoped
public class RolloutPlanner {

    /** The states of a container's rollouts a new image is measured against: succeeded or on their way. */
    private static final List<Rollout.State> STANDING = List.of(Rollout.State.SUCCEEDED, Rollout.State.PROGRESSING,
            Rollout.State.PENDING, Rollout.State.HOOK_RUNNING, Rollout.State.AWAITING_APPROVAL, Rollout.State.WAITING, Rollout.State.HELD);

    private final Followers followers;
    private final RegistryAliases aliases;
    private final RolloutTransitions transitions;
    private final CanaryGates gates;

    public RolloutPlanner(Followers followers, RegistryAliases aliases, RolloutTransitions transitions, CanaryGates gates) {
        this.followers = followers;
        this.aliases = aliases;
        this.transitions = transitions;
        this.gates = gates;
    }

    /**
     * Rollouts an image push calls for; runs in the consumer's transaction. In a base-image cascade the canaries'
     * rollouts are placed first, and the others behind the pipeline's canary stage ({@link CanaryGates}).
     *
     * @param baseImageCascade the push belongs to a pipeline whose root is an image push from outside Cascade
     */
    public Uni<List<Rollout>> plan(ReceivedEvent<ImagePushed> event, boolean baseImageCascade) {
        ImagePushed pushed = event.data();
        ImageRef image = ImageRef.parse(pushed.image(), aliases).withDigest(pushed.digest());
        OffsetDateTime pushedAt = event.time() != null ? event.time() : OffsetDateTime.now();
        return followers.of(image)
                .chain(candidates -> Multi.createFrom().iterable(candidates)
                        .onItem().transformToUniAndConcatenate(c -> (baseImageCascade ? gates.isCanary(c.workload()) : Uni.createFrom().item(false))
                                .map(canary -> new Placed(c, canary)))
                        .collect().asList())
                .chain(placed -> Multi.createFrom().iterable(placed.stream()
                                .sorted(Comparator.comparing((Placed p) -> !p.canary())).toList())
                        .onItem().transformToUniAndConcatenate(p -> plan(p, image, pushedAt, event, baseImageCascade))
                        .filter(Objects::nonNull)
                        .collect().asList());
    }

    /** A candidate and whether its workload is a canary of this cascade. */
    private record Placed(Followers.Candidate candidate, boolean canary) {
    }

    private Uni<Rollout> plan(Placed p, ImageRef image, OffsetDateTime pushedAt, ReceivedEvent<ImagePushed> event,
                              boolean baseImageCascade) {
        Followers.Candidate c = p.candidate();
        TargetIndex.WatchedWorkload w = c.workload();
        String container = c.trigger().container();
        String running = w.images().get(container);
        if (image.pinned().equals(running)) {
            return Uni.createFrom().nullItem();
        }
        Rollout r = newRollout(w.ref(), container, image, running, pushedAt, event);
        return WorkloadPause.<WorkloadPause>findById(w.ref()).chain(pause -> {
            if (pause != null) {
                return admit(r, RolloutDecision.admit(r, c.trigger(), true, null, false), null, false); // a paused canary takes no part
            }
            r.canary = p.canary();
            return latest(r).chain(latest -> ApprovalGate.<ApprovalGate>findById(w.ref().namespace())
                    .chain(gate -> admit(r, RolloutDecision.admit(r, c.trigger(), false, latest, gate != null), latest, baseImageCascade)));
        });
    }

    /** The container's latest rollout that succeeded or is on its way, by push time. */
    private static Uni<Rollout> latest(Rollout r) {
        return Rollout.<Rollout>find("workload.namespace = ?1 and workload.kind = ?2 and workload.name = ?3 and container = ?4"
                                + " and status in ?5 order by pushedAt desc",
                        r.workload.namespace(), r.workload.kind(), r.workload.name(), r.container, STANDING)
                .firstResult();
    }

    /** Stores the new rollout as admitted, first ending the one it supersedes, and placed behind its cascade's canaries. */
    private Uni<Rollout> admit(Rollout r, Admission admission, Rollout latest, boolean baseImageCascade) {
        r.status = admission.state();
        if (admission.state().isFinal()) {
            r.reason = admission.reason();
            r.finishedAt = OffsetDateTime.now();
            if (admission.state() == Rollout.State.SUPERSEDED) {
                Log.infof("%s %s: late image %s recorded as superseded", r.workloadKey(), r.container, r.image);
                return r.<Rollout>persist().call(() -> transitions.emit(r, RolloutStatus.SUPERSEDED));
            }
            return r.persist();
        }
        Uni<Void> supersedeLatest = admission.supersedesLatest()
                ? transitions.end(latest, Rollout.State.SUPERSEDED, "superseded by " + r.image, RolloutStatus.SUPERSEDED)
                : Uni.createFrom().voidItem();
        Uni<RolloutStatus> placed = baseImageCascade ? gates.place(r) : Uni.createFrom().nullItem();
        return supersedeLatest.chain(() -> placed).chain(event -> {
            Log.infof("%s %s: rollout of %s %s%s", r.workloadKey(), r.container, r.image, r.status.name().toLowerCase(Locale.ROOT),
                    r.canary ? " (canary)" : "");
            return r.<Rollout>persist().call(() -> event == null ? Uni.createFrom().voidItem() : transitions.emit(r, event));
        });
    }

    private static Rollout newRollout(WorkloadRef workload, String container, ImageRef image, String running, OffsetDateTime pushedAt,
                                      ReceivedEvent<ImagePushed> event) {
        Rollout r = new Rollout();
        r.id = UUID.randomUUID();
        r.workload = new WorkloadRef(workload.namespace(), workload.kind(), workload.name()); // a value of its own
        r.container = container;
        r.image = image.pinned();
        r.tag = image.tag();
        r.previousImage = running;
        r.pipelineId = event.pipelineId();
        r.causationId = event.id();
        r.pushedAt = pushedAt;
        r.createdAt = OffsetDateTime.now();
        r.updatedAt = r.createdAt;
        return r;
    }
}
