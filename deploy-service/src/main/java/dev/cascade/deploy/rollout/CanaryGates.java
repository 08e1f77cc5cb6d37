package dev.cascade.deploy.rollout;

import dev.cascade.common.events.RolloutStatus;
import dev.cascade.deploy.config.DeploySettings;
import dev.cascade.deploy.kube.WorkloadInformers;
import dev.cascade.deploy.kube.WorkloadView;
import dev.cascade.deploy.target.TargetIndex;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.NotFoundException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Canary-first rollouts of base-image cascades. The canary stage of a pipeline opens with its first canary rollout;
 * while it is open (canaries rolling out or soaking) the pipeline's other rollouts wait, once every canary rollout has
 * succeeded its canaries are watched for the soak time, and then the waiting rollouts go ahead. A canary that fails its
 * rollout, or becomes unavailable while it soaks, holds the rest until a person resumes or aborts the pipeline.
 *
 * <p>Canaries that are still to come hold the rest back too: while a build of the cascade has yet to push an image a
 * canary follows ({@link ExpectedImages}, from build-service's build events), the stage is {@code EXPECTED} and the
 * pipeline's other rollouts wait for that canary, as they wait for one rolling out; when the build ends without pushing,
 * or its push brings no canary rollout, they go ahead. The rollouts of one image push are placed canaries first.
 *
 * <p>All of it is in the database: the stage's row is locked while it changes, and a pipeline's placements are
 * serialised with a transaction-scoped advisory lock, so two replicas place and review consistently, and a restart
 * loses nothing (the driver's resync reviews every open stage).
 */
@ApplicationScoped
public class CanaryGates {

    private static final List<Rollout.State> FAILED = List.of(Rollout.State.FAILED, Rollout.State.ROLLEDBACK, Rollout.State.ABORTED);

    /** What a review did: whether it recorded anything (events to relay, rollouts to drive), and when a soak ends next. */
    public record Review(boolean changed, Optional<OffsetDateTime> nextSoakEnd) {
        static final Review NOTHING = new Review(false, Optional.empty());

        Review and(Review other) {
            Optional<OffsetDateTime> next = nextSoakEnd.isEmpty() ? other.nextSoakEnd
                    : other.nextSoakEnd.filter(o -> o.isBefore(nextSoakEnd.get())).or(() -> nextSoakEnd);
            return new Review(changed || other.changed, next);
        }
    }

    private final TargetIndex index;
    private final WorkloadInformers informers;
    private final RolloutTransitions transitions;
    private final DeploySettings settings;
    private final ExpectedImages expected;

    public CanaryGates(TargetIndex index, WorkloadInformers informers, RolloutTransitions transitions, DeploySettings settings,
                       ExpectedImages expected) {
        this.index = index;
        this.informers = informers;
        this.transitions = transitions;
        this.settings = settings;
        this.expected = expected;
    }

    /** Whether the workload is a canary: annotated, or in a canary namespace. Runs in the caller's session. */
    public Uni<Boolean> isCanary(TargetIndex.WatchedWorkload w) {
        if (Canaries.isCanary(w.annotations(), false)) {
            return Uni.createFrom().item(true);
        }
        return CanaryNamespace.findById(w.ref().namespace()).map(ns -> ns != null);
    }

    /**
     * Places a new rollout of a base-image cascade (not stored yet, about to go ahead) behind its pipeline's canaries:
     * a canary opens or reopens the stage; any other rollout of a pipeline whose canaries are under way or soaking, or
     * that has yet to push an image a canary follows, waits; one of a held pipeline is held, one of an aborted pipeline
     * ends aborted. Runs in the caller's transaction.
     *
     * @return the event the rollout's new state calls for, or null
     */
    public Uni<RolloutStatus> place(Rollout r) {
        return PipelineLock.take(r.pipelineId)
                .chain(() -> CanaryStage.<CanaryStage>findById(r.pipelineId, LockModeType.PESSIMISTIC_WRITE))
                .chain(stage -> {
                    OffsetDateTime now = OffsetDateTime.now();
                    if (stage == null) {
                        if (!r.canary) {
                            return waitForExpectedCanary(r, null, now); // no canary in this cascade yet: is one to come?
                        }
                        CanaryStage s = newStage(r.pipelineId, CanaryStage.Status.CANARY, r.createdAt, now);
                        Log.infof("pipeline %s: canary stage opened by %s", r.pipelineId, r.workloadKey());
                        return s.persist().replaceWith((RolloutStatus) null);
                    }
                    switch (stage.status) {
                        case ABORTED -> {
                            r.status = Rollout.State.ABORTED;
                            r.reason = "the cascade's remaining rollouts were aborted" + because(stage);
                            r.finishedAt = now;
                            return Uni.createFrom().item(RolloutStatus.FAILED);
                        }
                        case HELD -> {
                            r.status = Rollout.State.HELD;
                            r.reason = stage.reason;
                            return Uni.createFrom().item(RolloutStatus.HELD);
                        }
                        default -> {
                            if (r.canary) {
                                reopen(stage, r.createdAt, now);
                                return Uni.createFrom().nullItem();
                            }
                            if (stage.status.letsThrough()) {
                                return waitForExpectedCanary(r, stage, now);
                            }
                            return Uni.createFrom().item(waiting(r, stage.status == CanaryStage.Status.EXPECTED ? stage.reason : CANARIES_UNDER_WAY));
                        }
                    }
                });
    }

    private static final String CANARIES_UNDER_WAY = "waiting for the cascade's canaries to roll out and soak";

    /** A rollout of a pipeline without canaries under way waits when a build of it has yet to push an image a canary follows. */
    private Uni<RolloutStatus> waitForExpectedCanary(Rollout r, CanaryStage stage, OffsetDateTime now) {
        return expected.awaitedCanary(r.pipelineId).chain(awaited -> {
            if (awaited.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            String reason = awaited.get().reason();
            Log.infof("pipeline %s: %s", r.pipelineId, reason);
            CanaryStage s = stage != null ? stage : newStage(r.pipelineId, CanaryStage.Status.EXPECTED, now, now);
            s.status = CanaryStage.Status.EXPECTED;
            s.reason = reason;
            s.soakUntil = null;
            s.updatedAt = now;
            return (stage != null ? Uni.createFrom().voidItem() : s.persist().replaceWithVoid()).replaceWith(waiting(r, reason));
        });
    }

    private static RolloutStatus waiting(Rollout r, String reason) {
        r.status = Rollout.State.WAITING;
        r.reason = reason;
        return RolloutStatus.WAITING;
    }

    private static CanaryStage newStage(UUID pipelineId, CanaryStage.Status status, OffsetDateTime openedAt, OffsetDateTime now) {
        CanaryStage s = new CanaryStage();
        s.pipelineId = pipelineId;
        s.status = status;
        s.openedAt = openedAt;
        s.createdAt = now;
        s.updatedAt = now;
        return s;
    }

    /** Reviews every open canary stage, each in its own transaction. */
    public Uni<Review> review() {
        return Panache.withSession(() -> CanaryStage.<CanaryStage>list("status in ?1", CanaryStage.Status.OPEN))
                .chain(open -> Multi.createFrom().iterable(open)
                        .onItem().transformToUniAndConcatenate(s -> Panache.withTransaction(() -> review(s.pipelineId))
                                .onFailure().invoke(f -> Log.warnf("canary stage of pipeline %s: %s", s.pipelineId, f.getMessage()))
                                .onFailure().recoverWithItem(Review.NOTHING))
                        .collect().in(() -> new Review[] {Review.NOTHING}, (acc, r) -> acc[0] = acc[0].and(r))
                        .map(acc -> acc[0]));
    }

    private Uni<Review> review(UUID pipelineId) {
        return CanaryStage.<CanaryStage>findById(pipelineId, LockModeType.PESSIMISTIC_WRITE).chain(stage -> {
            if (stage == null || !CanaryStage.Status.OPEN.contains(stage.status)) {
                return Uni.createFrom().item(Review.NOTHING); // another replica moved it meanwhile
            }
            if (stage.status == CanaryStage.Status.EXPECTED) {
                return goAheadUnlessExpected(stage);
            }
            return Rollout.<Rollout>list("pipelineId = ?1 and canary = true and createdAt >= ?2", pipelineId, stage.openedAt)
                    .chain(canaries -> {
                OffsetDateTime now = OffsetDateTime.now();
                Optional<Rollout> failed = canaries.stream().filter(c -> FAILED.contains(c.status)).findFirst();
                if (failed.isPresent()) {
                    Rollout f = failed.get();
                    return hold(stage, "canary " + f.workloadKey() + " failed" + (f.reason == null ? "" : ": " + f.reason));
                }
                if (canaries.stream().anyMatch(c -> !c.status.isFinal())) {
                    return Uni.createFrom().item(Review.NOTHING);
                }
                List<Rollout> succeeded = canaries.stream().filter(c -> c.status == Rollout.State.SUCCEEDED).toList();
                if (stage.status == CanaryStage.Status.CANARY) {
                    Duration soak = succeeded.stream()
                            .map(c -> Canaries.soak(index.get(c.workload).map(TargetIndex.WatchedWorkload::annotations).orElse(Map.of()),
                                    settings.canarySoak()))
                            .max(Duration::compareTo).orElse(Duration.ZERO);
                    stage.status = CanaryStage.Status.SOAKING;
                    stage.soakUntil = now.plus(soak);
                    stage.updatedAt = now;
                    Log.infof("pipeline %s: %d canaries rolled out; soaking until %s", pipelineId, succeeded.size(), stage.soakUntil);
                }
                for (Rollout c : succeeded) {
                    Optional<WorkloadView> view = informers.cached(c.workload);
                    Optional<String> unhealthy = view.isEmpty() ? Optional.of("the workload is gone") : Canaries.unhealthy(view.get());
                    if (unhealthy.isPresent()) {
                        return hold(stage, "canary " + c.workloadKey() + " became unavailable during its soak: " + unhealthy.get());
                    }
                }
                if (now.isBefore(stage.soakUntil)) {
                    return Uni.createFrom().item(new Review(false, Optional.of(stage.soakUntil)));
                }
                stage.status = CanaryStage.Status.PASSED;
                stage.reason = null;
                stage.updatedAt = now;
                Log.infof("pipeline %s: canaries soaked", pipelineId);
                return goAheadUnlessExpected(stage);
            });
        });
    }

    /**
     * The pipeline's waiting rollouts go ahead, unless a build of it has yet to push an image a canary follows: then the
     * stage is {@code EXPECTED} and they wait for that canary. A stage that only ever expected a canary that never came is
     * removed, as if the cascade had none. Runs in the transaction that holds the stage's row.
     */
    private Uni<Review> goAheadUnlessExpected(CanaryStage stage) {
        return expected.awaitedCanary(stage.pipelineId).chain(awaited -> {
            OffsetDateTime now = OffsetDateTime.now();
            if (awaited.isPresent()) {
                String reason = awaited.get().reason();
                if (stage.status != CanaryStage.Status.EXPECTED || !reason.equals(stage.reason)) {
                    Log.infof("pipeline %s: %s", stage.pipelineId, reason);
                    stage.status = CanaryStage.Status.EXPECTED;
                    stage.reason = reason;
                    stage.soakUntil = null;
                    stage.updatedAt = now;
                    return Rollout.<Rollout>list("pipelineId = ?1 and status = ?2", stage.pipelineId, Rollout.State.WAITING)
                            .invoke(rs -> rs.forEach(r -> {
                                r.reason = reason;
                                r.updatedAt = now;
                            }))
                            .replaceWith(Review.NOTHING);
                }
                return Uni.createFrom().item(Review.NOTHING);
            }
            Uni<Void> settled;
            if (stage.status == CanaryStage.Status.EXPECTED) {
                settled = Rollout.count("pipelineId = ?1 and canary = true", stage.pipelineId).chain(canaries -> {
                    if (canaries == 0) {
                        Log.infof("pipeline %s: no canary image is expected any more; the cascade rolls out as without canaries", stage.pipelineId);
                        return stage.delete();
                    }
                    stage.status = CanaryStage.Status.PASSED;
                    stage.reason = null;
                    stage.updatedAt = now;
                    return Uni.createFrom().voidItem();
                });
            } else {
                settled = Uni.createFrom().voidItem();
            }
            return settled.invoke(() -> Log.infof("pipeline %s: the cascade's other rollouts go ahead", stage.pipelineId))
                    .chain(() -> release(stage.pipelineId, Rollout.State.WAITING))
                    .replaceWith(new Review(true, Optional.empty()));
        });
    }

    /**
     * Lets a held pipeline's rollouts go ahead, or the rollouts of one that waits for a canary image or a plan (one that
     * will not come: its build-service event was dead-lettered, say). Runs in a transaction; the driver takes them once it
     * has committed.
     */
    public Uni<CanaryStage> resume(UUID pipelineId) {
        return stageToChange(pipelineId).chain(stage -> {
            if (stage.status != CanaryStage.Status.HELD && stage.status != CanaryStage.Status.EXPECTED) {
                throw new ClientErrorException("pipeline " + pipelineId + " is " + stage.status.name().toLowerCase() + ", not held", 409);
            }
            Rollout.State waiting = stage.status == CanaryStage.Status.HELD ? Rollout.State.HELD : Rollout.State.WAITING;
            stage.status = CanaryStage.Status.RESUMED;
            stage.reason = "resumed after: " + stage.reason;
            stage.updatedAt = OffsetDateTime.now();
            Log.infof("pipeline %s: resumed", pipelineId);
            return release(pipelineId, waiting).replaceWith(stage);
        });
    }

    /** Ends every rollout of the pipeline that waits for its canaries or is held, and every later one, as aborted. Runs in a transaction. */
    public Uni<CanaryStage> abort(UUID pipelineId) {
        return stageToChange(pipelineId).chain(stage -> {
            if (stage.status == CanaryStage.Status.ABORTED) {
                throw new ClientErrorException("pipeline " + pipelineId + " is aborted already", 409);
            }
            String before = stage.reason;
            stage.status = CanaryStage.Status.ABORTED;
            stage.reason = before == null ? "aborted" : "aborted after: " + before;
            stage.updatedAt = OffsetDateTime.now();
            Log.infof("pipeline %s: aborted", pipelineId);
            String reason = "the cascade's remaining rollouts were aborted" + because(stage);
            return Rollout.<Rollout>list("pipelineId = ?1 and status in ?2", pipelineId, List.of(Rollout.State.WAITING, Rollout.State.HELD))
                    .chain(rs -> Multi.createFrom().iterable(rs)
                            .onItem().transformToUniAndConcatenate(r -> transitions.end(r, Rollout.State.ABORTED, reason, RolloutStatus.FAILED))
                            .collect().asList())
                    .replaceWith(stage);
        });
    }

    private Uni<CanaryStage> stageToChange(UUID pipelineId) {
        return PipelineLock.take(pipelineId)
                .chain(() -> CanaryStage.<CanaryStage>findById(pipelineId, LockModeType.PESSIMISTIC_WRITE))
                .onItem().ifNull().failWith(() -> new NotFoundException("pipeline " + pipelineId + " has no canary stage"));
    }

    private Uni<Review> hold(CanaryStage stage, String reason) {
        stage.status = CanaryStage.Status.HELD;
        stage.reason = reason;
        stage.updatedAt = OffsetDateTime.now();
        Log.warnf("pipeline %s: held (%s)", stage.pipelineId, reason);
        return Rollout.<Rollout>list("pipelineId = ?1 and status = ?2", stage.pipelineId, Rollout.State.WAITING)
                .chain(rs -> Multi.createFrom().iterable(rs)
                        .onItem().transformToUniAndConcatenate(r -> transitions.end(r, Rollout.State.HELD, reason, RolloutStatus.HELD))
                        .collect().asList())
                .replaceWith(new Review(true, Optional.empty()));
    }

    /** Lets the pipeline's rollouts in {@code state} go ahead: to their namespace's approval gate when it has one. */
    private static Uni<Void> release(UUID pipelineId, Rollout.State state) {
        return Rollout.<Rollout>list("pipelineId = ?1 and status = ?2", pipelineId, state)
                .chain(rs -> Multi.createFrom().iterable(rs)
                        .onItem().transformToUniAndConcatenate(r -> ApprovalGate.findById(r.workload.namespace()).invoke(gate -> {
                            r.status = gate != null ? Rollout.State.AWAITING_APPROVAL : Rollout.State.PENDING;
                            r.reason = null;
                            r.updatedAt = OffsetDateTime.now();
                        }))
                        .collect().asList())
                .replaceWithVoid();
    }

    private static void reopen(CanaryStage stage, OffsetDateTime canaryPlanned, OffsetDateTime now) {
        if (stage.status != CanaryStage.Status.CANARY) {
            stage.status = CanaryStage.Status.CANARY;
            stage.openedAt = canaryPlanned;
            stage.soakUntil = null;
            stage.reason = null;
            stage.updatedAt = now;
        }
    }

    private static String because(CanaryStage stage) {
        return stage.reason == null ? "" : " (" + stage.reason + ")";
    }
}
