package dev.cascade.deploy.rollout;

import dev.cascade.common.events.RolloutStatus;
import dev.cascade.deploy.config.DeploySettings;
import dev.cascade.deploy.kube.HookJobChanged;
import dev.cascade.deploy.kube.HookState;
import dev.cascade.deploy.kube.WorkloadChanged;
import dev.cascade.deploy.kube.WorkloadInformers;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.WorkloadView;
import dev.cascade.deploy.kube.Workloads;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives active rollouts to their end, one step at a time: looks at what the cluster reports of a rollout's
 * workload, asks {@link RolloutDecision#next} for the step, carries it out (a hook Job, the patch to the immutable
 * {@code repo@sha256:…} reference, the rollback to the previous image) and stores the outcome with its
 * {@code cascade.rollout.*} event through the outbox.
 *
 * <p>The driver is woken by the informers when a workload or a hook Job changes, and looks at that workload's
 * rollouts; by the planner once a transaction that planned or released rollouts has committed; and every
 * {@code cascade.deploy.resync} (30 s) for every active rollout, so a missed notification or a restart still reaches
 * each rollout's end. Each pass then reviews the open canary stages ({@link CanaryGates#review}), so a canary's end or
 * its workload's change is seen at once, and a timer wakes the driver when a soak ends.
 */
@ApplicationScoped
public class RolloutDriver {

    private final WorkloadInformers informers;
    private final Workloads workloads;
    private final RolloutTransitions transitions;
    private final OutboxRelay relay;
    private final Vertx vertx;
    private final DeploySettings settings;
    private final CanaryGates canaries;
    /** When the timer set for the next end of a canary soak fires, in epoch milliseconds; 0 when none is set. */
    private final AtomicLong soakTimerAt = new AtomicLong();
    private final AtomicBoolean driving = new AtomicBoolean();
    /** Added to before a pass is asked for, taken when a pass starts, so no wake is lost to a running pass. */
    private final Wakeups wakeups = new Wakeups();
    private volatile boolean stopping;

    public RolloutDriver(WorkloadInformers informers, Workloads workloads, RolloutTransitions transitions, OutboxRelay relay,
                         Vertx vertx, DeploySettings settings, CanaryGates canaries) {
        this.informers = informers;
        this.workloads = workloads;
        this.transitions = transitions;
        this.relay = relay;
        this.vertx = vertx;
        this.settings = settings;
        this.canaries = canaries;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(settings.resync(), "rollout resync", () -> {
            wakeups.addAll();
            return drive();
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        this.stopping = true;
    }

    void workloadChanged(@Observes WorkloadChanged change) {
        wakeups.add(change.ref());
        driveNow();
    }

    void hookJobChanged(@Observes HookJobChanged change) {
        try {
            wakeups.add(UUID.fromString(change.rolloutId()));
        } catch (IllegalArgumentException e) {
            return; // not a label Cascade wrote
        }
        driveNow();
    }

    /**
     * Asks the driver to look at every active rollout now, without waiting for an informer or the resync: call it
     * after the transaction that planned (or released) rollouts has committed. A pass already running goes round
     * once more.
     */
    public void driveSoon() {
        wakeups.addAll();
        driveNow();
    }

    /** Asks the driver to look at the rollouts of one workload now, as a change of the workload would. */
    public void driveSoon(WorkloadRef workload) {
        wakeups.add(workload);
        driveNow();
    }

    private void driveNow() {
        if (!stopping) {
            BackgroundWork.run(vertx.getDelegate(), "rollout driver", this::drive);
        }
    }

    /** Looks again when a canary soak ends; one timer, for the earliest end asked for. */
    private void wakeAt(OffsetDateTime when) {
        long at = when.toInstant().toEpochMilli() + 50;
        long set = soakTimerAt.get();
        if (set != 0 && set <= at && set > System.currentTimeMillis() || !soakTimerAt.compareAndSet(set, at)) {
            return;
        }
        vertx.setTimer(Math.max(1, at - System.currentTimeMillis()), id -> {
            soakTimerAt.compareAndSet(at, 0);
            driveSoon();
        });
    }

    private Uni<Void> drive() {
        if (!driving.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        Wakeups asked = wakeups.take();
        return Panache.withSession(() -> Rollout.<Rollout>list("status in ?1", Rollout.State.DRIVEN))
                .map(active -> active.stream().filter(asked::covers).toList())
                .chain(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::step).collect().asList())
                .chain(steps -> canaries.review().invoke(review -> {
                    if (steps.contains(Boolean.TRUE) || review.changed()) {
                        relay.relaySoon(); // the events of the steps recorded
                    }
                    if (review.changed()) {
                        wakeups.addAll(); // rollouts a canary stage let go, once more round
                    }
                    review.nextSoakEnd().ifPresent(this::wakeAt);
                }))
                .replaceWithVoid()
                .eventually(() -> {
                    driving.set(false);
                    if (wakeups.pending()) {
                        driveNow();
                    }
                });
    }

    /**
     * One look at one rollout, by one instance at a time: its row is locked, or skipped while another instance holds
     * it, and taken only while it is still in the state this pass saw; then the Kubernetes side runs on a worker
     * thread and the outcome is recorded in the same transaction. So two instances never patch, hook or end one
     * rollout twice.
     *
     * @return whether an outcome was recorded
     */
    private Uni<Boolean> step(Rollout snapshot) {
        return Panache.withTransaction(() -> claim(snapshot)
                        .chain(taken -> !taken ? Uni.createFrom().item(false)
                                : vertx.executeBlocking(Uni.createFrom().item(() -> carryOut(snapshot)), false)
                                        .chain(outcome -> outcome == null ? Uni.createFrom().item(false)
                                                : Rollout.<Rollout>findById(snapshot.id).chain(r -> outcome.record(r).replaceWith(true)))))
                .onFailure().invoke(f -> Log.warnf("rollout %s (%s): %s", snapshot.id, snapshot.workloadKey(), f.getMessage()))
                .onFailure().recoverWithItem(false);
    }

    private static Uni<Boolean> claim(Rollout snapshot) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery("SELECT id FROM rollout WHERE id = ?1 AND status = ?2 FOR UPDATE SKIP LOCKED", UUID.class)
                        .setParameter(1, snapshot.id)
                        .setParameter(2, snapshot.status.name())
                        .getResultList())
                .map(taken -> !taken.isEmpty());
    }

    /** What to store once a step has been carried out. */
    @FunctionalInterface
    private interface Outcome {
        Uni<Void> record(Rollout r);
    }

    /** Looks at the cluster, decides, and does the Kubernetes side of the step; null when there is nothing to do yet. Blocking. */
    private Outcome carryOut(Rollout r) {
        // the informer's cache, unless it has not seen the workload (not started yet, or the workload is gone)
        Optional<WorkloadView> workload = informers.cached(r.workload).or(() -> workloads.get(r.workload));
        HookState hook = r.status == Rollout.State.HOOK_RUNNING ? workloads.hookState(r.workload.namespace(), r.hookJob) : null;
        RolloutStep step = RolloutDecision.next(r, workload, hook, settings.progressDeadline(), OffsetDateTime.now());

        if (step instanceof RolloutStep.Abort abort) {
            return x -> transitions.end(x, Rollout.State.ABORTED, abort.reason(), RolloutStatus.FAILED);
        }
        if (step instanceof RolloutStep.RunPreHook preHook) {
            String job = workloads.startHook(r.workload, "pre", r.image, preHook.command(), r.id.toString());
            return x -> {
                x.status = Rollout.State.HOOK_RUNNING;
                x.hookJob = job;
                x.updatedAt = OffsetDateTime.now();
                return Uni.createFrom().voidItem();
            };
        }
        if (step instanceof RolloutStep.Patch) {
            long before = workloads.setImage(r.workload, r.container, r.image);
            Log.infof("%s %s: patched to %s", r.workloadKey(), r.container, r.image);
            CrashPoint.AFTER_PATCH.reach();
            return x -> {
                x.status = Rollout.State.PROGRESSING;
                x.baseGeneration = before;
                x.updatedAt = OffsetDateTime.now();
                return transitions.emit(x, RolloutStatus.STARTED);
            };
        }
        if (step instanceof RolloutStep.Follow follow) {
            Log.infof("%s %s: runs %s already (patched before its record was stored); following the rollout", r.workloadKey(),
                    r.container, r.image);
            return x -> {
                x.status = Rollout.State.PROGRESSING;
                x.baseGeneration = follow.baseGeneration();
                x.updatedAt = OffsetDateTime.now();
                return transitions.emit(x, RolloutStatus.STARTED);
            };
        }
        if (step instanceof RolloutStep.FailOnHook failed) {
            String log = workloads.hookLog(r.workload.namespace(), r.hookJob);
            return x -> {
                x.hookLog = log;
                return transitions.end(x, Rollout.State.FAILED, failed.reason(), RolloutStatus.FAILED);
            };
        }
        if (step instanceof RolloutStep.Succeed succeeded) {
            String job = succeeded.postHook().map(cmd -> workloads.startHook(r.workload, "post", r.image, cmd, r.id.toString())).orElse(null);
            return x -> {
                x.hookJob = job != null ? job : x.hookJob;
                return transitions.end(x, Rollout.State.SUCCEEDED, null, RolloutStatus.SUCCEEDED);
            };
        }
        if (step instanceof RolloutStep.Fail failed) {
            if (failed.rollBack()) {
                workloads.setImage(r.workload, r.container, r.previousImage);
            }
            return x -> transitions.end(x, Rollout.State.FAILED, failed.reason(), RolloutStatus.FAILED)
                    .chain(() -> failed.rollBack()
                            ? transitions.end(x, Rollout.State.ROLLEDBACK, failed.reason() + "; rolled back to " + x.previousImage,
                                    RolloutStatus.ROLLEDBACK)
                            : Uni.createFrom().voidItem());
        }
        return null; // wait
    }
}
