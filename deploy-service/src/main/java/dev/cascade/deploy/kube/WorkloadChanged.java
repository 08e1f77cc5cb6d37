package dev.cascade.deploy.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A CDI event: an informer saw a watched workload added, changed or deleted.
 *
 * @param workload the workload as it is now; null when it was deleted
 */
public record WorkloadChanged(WorkloadRef ref, HasMetadata workload) {

    public boolean deleted() {
        return workload == null;
    }
}
