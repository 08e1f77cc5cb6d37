package dev.cascade.deploy.rollout;

import java.util.List;
import java.util.Optional;

/** What happens next to an active rollout: decided by {@link RolloutDecision#next}, carried out by {@link RolloutDriver}. */
public sealed interface RolloutStep {

    /** Nothing to do until the workload or the hook changes. */
    RolloutStep WAIT = new Wait();
    /** Patch the container to the new image; the rollout is then followed. */
    RolloutStep PATCH = new Patch();

    /** Nothing to do yet. */
    record Wait() implements RolloutStep {
    }

    /** End the rollout as aborted (the workload is gone), reported as failed. */
    record Abort(String reason) implements RolloutStep {
    }

    /** Run the pre-rollout hook Job from the new image before the workload is touched. */
    record RunPreHook(List<String> command) implements RolloutStep {
    }

    /** Set the container to the new image. */
    record Patch() implements RolloutStep {
    }

    /**
     * The container runs the new image already (a patch whose record was lost to a crash): follow the rollout from the
     * generation that carries it, without patching again.
     *
     * @param baseGeneration the generation before the one that carries the image; the controller must report a later one
     */
    record Follow(long baseGeneration) implements RolloutStep {
    }

    /** The pre-rollout hook failed: keep its log and end failed, the workload left untouched. */
    record FailOnHook(String reason) implements RolloutStep {
    }

    /** Every replica runs the new template: start the post-rollout hook, if there is one, and end succeeded. */
    record Succeed(Optional<List<String>> postHook) implements RolloutStep {
    }

    /** The rollout cannot progress: end failed, then put the previous image back when {@code rollBack}. */
    record Fail(String reason, boolean rollBack) implements RolloutStep {
    }
}
