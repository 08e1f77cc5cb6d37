package dev.cascade.deploy.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.deploy.config.DeploySettings;
import dev.cascade.deploy.kube.HookState;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.WorkloadView;
import dev.cascade.deploy.kube.Workloads;
import dev.cascade.deploy.target.ImagePolicy;
import dev.cascade.deploy.target.ImageTrigger;
import dev.cascade.deploy.target.Target;
import dev.cascade.deploy.target.TargetIndex;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.messaging.Periodic;
import dev.cascade.messaging.ReceivedEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns image pushes into rollouts and drives each to its end: an optional pre-rollout hook Job from the
 * new image, the patch to the immutable {@code repo@sha256:…} reference, following the controller's
 * status to success or failure, and the rollback to the previous image on failure. Every step is stored
 * with its {@code cascade.rollout.*} event through the outbox.
 *
 * <p>The driver looks at the active rollouts on a timer, and is also woken ({@link #driveSoon()}) right after a
 * transaction that planned one has committed, so a new rollout's patch does not wait for the next tick.
 */
@ApplicationScoped
public class Rollouts {

    public static final String PRE_HOOK = "cascade.dev/pre-rollout-hook";
    public static final String POST_HOOK = "cascade.dev/post-rollout-hook";
    public static final String ROLLBACK = "cascade.dev/rollback";

    private final TargetIndex index;
    private final Workloads workloads;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final RegistryAliases aliases;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final Duration progressDeadline;
    private final AtomicBoolean driving = new AtomicBoolean();
    /** A wake arrived: set before the driver is asked for, cleared when a pass starts, so no wake is lost to a running pass. */
    private final AtomicBoolean wanted = new AtomicBoolean();

    public Rollouts(TargetIndex index, Workloads workloads, Outbox outbox, OutboxRelay relay,
                    RegistryAliases aliases, Vertx vertx, ObjectMapper json,
                    DeploySettings settings) {
        this.index = index;
        this.workloads = workloads;
        this.outbox = outbox;
        this.relay = relay;
        this.aliases = aliases;
        this.vertx = vertx;
        this.json = json;
        this.progressDeadline = settings.progressDeadline();
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(Duration.ofMillis(250), "rollout driver", this::drive);
    }

    // ---- deciding ---------------------------------------------------------------------------

    /** Rollouts an image push calls for; runs in the consumer's transaction. */
    public Uni<List<Rollout>> plan(ReceivedEvent<ImagePushed> event) {
        ImagePushed pushed = event.data();
        ImageRef image = ImageRef.parse(pushed.image(), aliases).withDigest(pushed.digest());
        OffsetDateTime pushedAt = event.time() != null ? event.time() : OffsetDateTime.now();
        return followers(image).chain(candidates -> Multi.createFrom().iterable(candidates)
                .onItem().transformToUniAndConcatenate(c -> decide(c, image, pushedAt, event))
                .filter(java.util.Objects::nonNull)
                .collect().asList());
    }

    /**
     * The watched workloads' containers that follow pushes of {@code image} (a tag), by annotation or by a
     * target registered over REST. Runs in the caller's session.
     */
    public Uni<List<Candidate>> followers(ImageRef image) {
        return Target.<Target>listAll().map(apiTargets -> {
            List<Candidate> candidates = new ArrayList<>();
            for (TargetIndex.WatchedWorkload w : index.all()) {
                w.triggers().forEach(t -> candidates.add(new Candidate(w, t)));
            }
            for (Target t : apiTargets) {
                index.get(t.workload).ifPresent(w -> candidates.add(new Candidate(w, t.trigger())));
            }
            return candidates.stream()
                    .filter(c -> index.watches(c.workload().ref().namespace()))
                    .filter(c -> {
                        String running = c.workload().images().get(c.trigger().container());
                        return running != null && ImagePolicy.follows(c.trigger(), image, runningTag(running), aliases);
                    })
                    .toList();
        });
    }

    /** A workload's container and the trigger by which it follows an image. */
    public record Candidate(TargetIndex.WatchedWorkload workload, ImageTrigger trigger) {
    }

    private Uni<Rollout> decide(Candidate c, ImageRef image, OffsetDateTime pushedAt, ReceivedEvent<ImagePushed> event) {
        TargetIndex.WatchedWorkload w = c.workload();
        String container = c.trigger().container();
        String running = w.images().get(container);
        String pinned = image.pinned();
        if (pinned.equals(running)) {
            return Uni.createFrom().nullItem();
        }
        Rollout r = newRollout(w, container, image, running, pushedAt, event);
        return WorkloadPause.<WorkloadPause>findById(w.ref()).chain(pause -> {
            if (pause != null) {
                r.status = Rollout.State.ABORTED;
                r.reason = "automatic rollouts of this workload are paused";
                r.finishedAt = OffsetDateTime.now();
                return r.<Rollout>persist();
            }
            return Rollout.<Rollout>find("workload.namespace = ?1 and workload.kind = ?2 and workload.name = ?3 and container = ?4"
                                    + " and status in ?5 order by pushedAt desc",
                            w.ref().namespace(), w.ref().kind(), w.ref().name(), container,
                            List.of(Rollout.State.SUCCEEDED, Rollout.State.PROGRESSING, Rollout.State.PENDING, Rollout.State.HOOK_RUNNING,
                                    Rollout.State.AWAITING_APPROVAL))
                    .firstResult()
                    .chain(latest -> {
                        if (latest != null && isNewer(latest, r, c.trigger())) {
                            r.status = Rollout.State.SUPERSEDED;
                            r.reason = "older than " + latest.image + " (pushed " + latest.pushedAt + "), which it may not replace";
                            r.finishedAt = OffsetDateTime.now();
                            Log.infof("%s %s: late image %s recorded as superseded", r.workloadKey(), container, r.image);
                            return r.<Rollout>persist().call(() -> emit(r, RolloutStatus.SUPERSEDED));
                        }
                        Uni<Void> supersedeActive = latest != null && !latest.status.isFinal()
                                ? end(latest, Rollout.State.SUPERSEDED, "superseded by " + r.image, RolloutStatus.SUPERSEDED)
                                : Uni.createFrom().voidItem();
                        return supersedeActive
                                .chain(() -> ApprovalGate.<ApprovalGate>findById(w.ref().namespace()))
                                .chain(gate -> {
                                    r.status = gate != null ? Rollout.State.AWAITING_APPROVAL : Rollout.State.PENDING;
                                    Log.infof("%s %s: rollout of %s %s", r.workloadKey(), container, r.image,
                                            gate != null ? "awaits approval" : "planned");
                                    return r.<Rollout>persist();
                                });
                    });
        });
    }

    /** The monotonic guard: {@code latest} came from a newer image than {@code candidate}. */
    private static boolean isNewer(Rollout latest, Rollout candidate, ImageTrigger trigger) {
        if (!trigger.policy().equals("digest")) {
            Optional<Integer> cmp = ImagePolicy.compareVersions(latest.tag, candidate.tag);
            if (cmp.isPresent() && cmp.get() != 0) {
                return cmp.get() > 0;
            }
        }
        return latest.pushedAt.isAfter(candidate.pushedAt);
    }

    private Rollout newRollout(TargetIndex.WatchedWorkload w, String container, ImageRef image, String running, OffsetDateTime pushedAt,
                               ReceivedEvent<ImagePushed> event) {
        Rollout r = new Rollout();
        r.id = UUID.randomUUID();
        r.workload = new WorkloadRef(w.ref().namespace(), w.ref().kind(), w.ref().name()); // a value of its own
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

    private static Optional<String> runningTag(String running) {
        try {
            return Optional.ofNullable(ImageRef.parse(running).tag());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---- driving ----------------------------------------------------------------------------

    /**
     * Asks the driver to look at the active rollouts now, without waiting for its next tick: call it after the
     * transaction that planned (or released) a rollout has committed. A pass already running goes round once more.
     */
    public void driveSoon() {
        wanted.set(true);
        BackgroundWork.run(vertx.getDelegate(), "rollout driver", this::drive);
    }

    private Uni<Void> drive() {
        if (!driving.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        wanted.set(false);
        return Panache.withSession(() -> Rollout.<Rollout>list("status in ?1", List.of(Rollout.State.PENDING, Rollout.State.HOOK_RUNNING,
                        Rollout.State.PROGRESSING)))
                .chain(active -> Multi.createFrom().iterable(active).onItem().transformToUniAndConcatenate(this::step).collect().asList())
                .invoke(steps -> {
                    if (steps.contains(Boolean.TRUE)) {
                        relay.relaySoon(); // the events of the steps recorded
                    }
                })
                .replaceWithVoid()
                .eventually(() -> {
                    driving.set(false);
                    if (wanted.get()) {
                        driveSoon();
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
        return Panache.withTransaction(() -> Panache.getSession()
                        .chain(s -> s.createNativeQuery("SELECT id FROM rollout WHERE id = ?1 AND status = ?2 FOR UPDATE SKIP LOCKED", UUID.class)
                                .setParameter(1, snapshot.id)
                                .setParameter(2, snapshot.status.name())
                                .getResultList())
                        .chain(taken -> taken.isEmpty() ? Uni.createFrom().item(false)
                                : vertx.executeBlocking(Uni.createFrom().item(() -> observe(snapshot)), false)
                                        .chain(outcome -> outcome == null ? Uni.createFrom().item(false)
                                                : Rollout.<Rollout>findById(snapshot.id).chain(r -> outcome.apply(r).replaceWith(true)))))
                .onFailure().invoke(f -> Log.warnf("rollout %s (%s): %s", snapshot.id, snapshot.workloadKey(), f.getMessage()))
                .onFailure().recoverWithItem(false);
    }

    /** What to record after looking at the cluster; null for nothing yet. Blocking. */
    private java.util.function.Function<Rollout, Uni<Void>> observe(Rollout r) {
        Optional<WorkloadView> view = workloads.get(r.workload);
        if (view.isEmpty()) {
            return x -> end(x, Rollout.State.ABORTED, "the workload is gone", RolloutStatus.FAILED);
        }
        WorkloadView w = view.get();
        switch (r.status) {
            case PENDING -> {
                Optional<List<String>> hook = hookCommand(w, PRE_HOOK);
                if (hook.isPresent()) {
                    String job = workloads.startHook(r.workload, "pre", r.image, hook.get(), r.id.toString());
                    return x -> {
                        x.status = Rollout.State.HOOK_RUNNING;
                        x.hookJob = job;
                        x.updatedAt = OffsetDateTime.now();
                        return Uni.createFrom().voidItem();
                    };
                }
                return patch(r);
            }
            case HOOK_RUNNING -> {
                HookState state = workloads.hookState(r.workload.namespace(), r.hookJob);
                if (state == HookState.FAILED) {
                    String log = workloads.hookLog(r.workload.namespace(), r.hookJob);
                    return x -> {
                        x.hookLog = log;
                        return end(x, Rollout.State.FAILED, "pre-rollout hook " + r.hookJob + " failed; the workload was left untouched",
                                RolloutStatus.FAILED);
                    };
                }
                return state == HookState.SUCCEEDED ? patch(r) : null;
            }
            case PROGRESSING -> {
                long base = r.baseGeneration == null ? 0 : r.baseGeneration;
                if (w.rolledOutSince(base)) {
                    Optional<List<String>> post = hookCommand(w, POST_HOOK);
                    String job = post.map(cmd -> workloads.startHook(r.workload, "post", r.image, cmd, r.id.toString())).orElse(null);
                    return x -> {
                        x.hookJob = job != null ? job : x.hookJob;
                        return end(x, Rollout.State.SUCCEEDED, null, RolloutStatus.SUCCEEDED);
                    };
                }
                boolean overdue = !r.workload.kind().equals("Deployment") && r.updatedAt.plus(progressDeadline).isBefore(OffsetDateTime.now());
                if (w.failedReason() != null || overdue) {
                    String reason = w.failedReason() != null ? w.failedReason() : "not rolled out within " + progressDeadline;
                    boolean auto = !"manual".equalsIgnoreCase(w.annotations().get(ROLLBACK));
                    if (auto && r.previousImage != null) {
                        workloads.setImage(r.workload, r.container, r.previousImage);
                    }
                    return x -> end(x, Rollout.State.FAILED, reason, RolloutStatus.FAILED)
                            .chain(() -> auto && x.previousImage != null
                                    ? end(x, Rollout.State.ROLLEDBACK, reason + "; rolled back to " + x.previousImage, RolloutStatus.ROLLEDBACK)
                                    : Uni.createFrom().voidItem());
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private java.util.function.Function<Rollout, Uni<Void>> patch(Rollout r) {
        long before = workloads.setImage(r.workload, r.container, r.image);
        Log.infof("%s %s: patched to %s", r.workloadKey(), r.container, r.image);
        return x -> {
            x.status = Rollout.State.PROGRESSING;
            x.baseGeneration = before;
            x.updatedAt = OffsetDateTime.now();
            return emit(x, RolloutStatus.STARTED);
        };
    }

    private Optional<List<String>> hookCommand(WorkloadView w, String annotation) {
        String value = w.annotations().get(annotation);
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = json.readTree(value);
            List<String> cmd = new ArrayList<>();
            node.path("command").forEach(n -> cmd.add(n.asText()));
            return cmd.isEmpty() ? Optional.empty() : Optional.of(cmd);
        } catch (Exception e) {
            Log.warnf("%s/%s: annotation %s is not {\"command\":[...]}", w.ref().namespace(), w.ref().name(), annotation);
            return Optional.empty();
        }
    }

    /** Ends (or moves) a rollout and publishes the matching event; runs in a transaction. */
    Uni<Void> end(Rollout r, Rollout.State state, String reason, RolloutStatus event) {
        r.status = state;
        if (reason != null) {
            r.reason = reason;
        }
        r.updatedAt = OffsetDateTime.now();
        if (state.isFinal()) {
            r.finishedAt = r.updatedAt;
        }
        Log.infof("%s %s: rollout of %s %s%s", r.workloadKey(), r.container, r.image, state.name().toLowerCase(), reason == null ? "" : " (" + reason + ")");
        return emit(r, event);
    }

    Uni<Void> emit(Rollout r, RolloutStatus status) {
        RolloutEvent e = new RolloutEvent(r.id.toString(), r.workload.namespace(), r.workload.kind(), r.workload.name(), r.container, r.image, r.previousImage, status,
                r.reason, OffsetDateTime.now().toInstant());
        return outbox.add(e, new Causation(r.pipelineId, r.causationId)).replaceWithVoid();
    }

    // ---- by hand ----------------------------------------------------------------------------

    /** Puts the previous image of the workload's latest successful rollout back. */
    public Uni<Rollout> rollback(WorkloadRef workload) {
        return Panache.withSession(() -> Rollout.<Rollout>find("workload.namespace = ?1 and workload.kind = ?2 and workload.name = ?3"
                                + " and status = ?4 order by finishedAt desc",
                        workload.namespace(), workload.kind(), workload.name(), Rollout.State.SUCCEEDED).firstResult())
                .chain(r -> {
                    if (r == null || r.previousImage == null) {
                        return Uni.createFrom().failure(new IllegalArgumentException("no successful rollout of " + workload.key() + " to roll back"));
                    }
                    return vertx.executeBlocking(Uni.createFrom().item(() -> workloads.setImage(workload, r.container, r.previousImage)), false)
                            .chain(gen -> Panache.withTransaction(() -> Rollout.<Rollout>findById(r.id)
                                    .call(x -> end(x, Rollout.State.ROLLEDBACK, "rolled back by request to " + x.previousImage, RolloutStatus.ROLLEDBACK))));
                });
    }
}
