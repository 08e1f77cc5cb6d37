package dev.cascade.deploy.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.deploy.kube.HookState;
import dev.cascade.deploy.kube.WorkloadView;
import dev.cascade.deploy.target.ImagePolicy;
import dev.cascade.deploy.target.ImageTrigger;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a rollout as functions of what is known, with no I/O: whether a pushed image becomes a rollout
 * that goes ahead ({@link #admit}), and what an active rollout's next step is given what the cluster reports of its
 * workload ({@link #next}). {@link RolloutPlanner} and {@link RolloutDriver} gather the facts and carry the
 * decisions out.
 */
public final class RolloutDecision {

    public static final String PRE_HOOK = "cascade.dev/pre-rollout-hook";
    public static final String POST_HOOK = "cascade.dev/post-rollout-hook";
    public static final String ROLLBACK = "cascade.dev/rollback";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RolloutDecision() {
    }

    /**
     * How a new rollout of a workload's container starts out.
     *
     * @param latest the container's latest rollout that succeeded or is still on its way (by push time), or null
     */
    public static Admission admit(Rollout candidate, ImageTrigger trigger, boolean paused, Rollout latest, boolean gated) {
        if (paused) {
            return new Admission(Rollout.State.ABORTED, "automatic rollouts of this workload are paused", false);
        }
        if (latest != null && isNewer(latest, candidate, trigger)) {
            return new Admission(Rollout.State.SUPERSEDED,
                    "older than " + latest.image + " (pushed " + latest.pushedAt + "), which it may not replace", false);
        }
        return new Admission(gated ? Rollout.State.AWAITING_APPROVAL : Rollout.State.PENDING, null,
                latest != null && !latest.status.isFinal());
    }

    /** The monotonic guard: {@code latest} came from a newer image than {@code candidate}. */
    static boolean isNewer(Rollout latest, Rollout candidate, ImageTrigger trigger) {
        if (!trigger.policy().equals("digest")) {
            Optional<Integer> cmp = ImagePolicy.compareVersions(latest.tag, candidate.tag);
            if (cmp.isPresent() && cmp.get() != 0) {
                return cmp.get() > 0;
            }
        }
        return latest.pushedAt.isAfter(candidate.pushedAt);
    }

    /**
     * The next step of an active rollout.
     *
     * @param workload what the cluster reports of the rollout's workload; empty when it is gone
     * @param hook     the state of the rollout's hook Job; read only while the rollout is {@code HOOK_RUNNING}
     * @param progressDeadline how long a StatefulSet or DaemonSet may take (a Deployment's controller reports its own)
     */
    public static RolloutStep next(Rollout r, Optional<WorkloadView> workload, HookState hook, Duration progressDeadline,
                                   OffsetDateTime now) {
        if (workload.isEmpty()) {
            return new RolloutStep.Abort("the workload is gone");
        }
        WorkloadView w = workload.get();
        return switch (r.status) {
            case PENDING -> patchedAlready(r, w).or(() -> hookCommand(w, PRE_HOOK).map(RolloutStep.RunPreHook::new))
                    .orElse(RolloutStep.PATCH);
            case HOOK_RUNNING -> switch (hook) {
                case FAILED -> new RolloutStep.FailOnHook("pre-rollout hook " + r.hookJob + " failed; the workload was left untouched");
                case SUCCEEDED -> patchedAlready(r, w).orElse(RolloutStep.PATCH);
                case RUNNING -> RolloutStep.WAIT;
            };
            case PROGRESSING -> progressing(r, w, progressDeadline, now);
            default -> RolloutStep.WAIT;
        };
    }

    /**
     * Level-triggered recovery of a patch whose record was lost (the instance died between the patch and its commit):
     * the container already runs the rollout's image, so patching again would change nothing and no later generation
     * would ever come to wait for. The rollout is followed from the current generation instead: the one that carries
     * the image, or a later one.
     */
    private static Optional<RolloutStep> patchedAlready(Rollout r, WorkloadView w) {
        return r.image.equals(w.containerImages().get(r.container))
                ? Optional.of(new RolloutStep.Follow(Math.max(0, w.generation() - 1)))
                : Optional.empty();
    }

    private static RolloutStep progressing(Rollout r, WorkloadView w, Duration progressDeadline, OffsetDateTime now) {
        long base = r.baseGeneration == null ? 0 : r.baseGeneration;
        if (w.rolledOutSince(base)) {
            return new RolloutStep.Succeed(hookCommand(w, POST_HOOK));
        }
        boolean overdue = !r.workload.kind().equals("Deployment") && r.updatedAt.plus(progressDeadline).isBefore(now);
        if (w.failedReason() != null || overdue) {
            String reason = w.failedReason() != null ? w.failedReason() : "not rolled out within " + progressDeadline;
            boolean auto = !"manual".equalsIgnoreCase(w.annotations().get(ROLLBACK));
            return new RolloutStep.Fail(reason, auto && r.previousImage != null);
        }
        return RolloutStep.WAIT;
    }

    /** The command of a hook annotation ({@code {"command":[...]}}); empty without one, or when it is malformed (logged). */
    static Optional<List<String>> hookCommand(WorkloadView w, String annotation) {
        String value = w.annotations().get(annotation);
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(value);
            List<String> cmd = new ArrayList<>();
            node.path("command").forEach(n -> cmd.add(n.asText()));
            return cmd.isEmpty() ? Optional.empty() : Optional.of(cmd);
        } catch (Exception e) {
            Log.warnf("%s/%s: annotation %s is not {\"command\":[...]}", w.ref().namespace(), w.ref().name(), annotation);
            return Optional.empty();
        }
    }
}
