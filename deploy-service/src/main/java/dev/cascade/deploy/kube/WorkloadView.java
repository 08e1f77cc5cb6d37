package dev.cascade.deploy.kube;

import java.util.Map;

/**
 * What deploy-service reads of a Deployment, StatefulSet or DaemonSet to follow a rollout: generations,
 * replica counts of the current template, and whether the controller gave up.
 *
 * @param failedReason non-null when the controller reports the rollout cannot progress (ProgressDeadlineExceeded)
 */
public record WorkloadView(WorkloadRef ref, long generation, long observedGeneration,
                           int desired, int updated, int ready, int available, String failedReason,
                           Map<String, String> containerImages, Map<String, String> annotations) {

    /** The controller has seen a generation after {@code baseGeneration} and every replica runs the new template. */
    public boolean rolledOutSince(long baseGeneration) {
        return observedGeneration > baseGeneration && observedGeneration >= generation
                && updated == desired && ready == desired && available == desired;
    }
}
