package dev.cascade.deploy.rollout;

import dev.cascade.deploy.kube.WorkloadRef;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The rollouts the driver has been asked to look at since its last pass: those of some workloads, some by id, or
 * all of them. Thread-safe: informers add while a pass runs, and the next pass takes what gathered.
 */
final class Wakeups {

    private Set<WorkloadRef> workloads = new HashSet<>();
    private Set<UUID> rollouts = new HashSet<>();
    private boolean all;

    synchronized void add(WorkloadRef workload) {
        workloads.add(workload);
    }

    synchronized void add(UUID rollout) {
        rollouts.add(rollout);
    }

    synchronized void addAll() {
        all = true;
    }

    synchronized boolean pending() {
        return all || !workloads.isEmpty() || !rollouts.isEmpty();
    }

    /** What gathered, leaving this empty. */
    synchronized Wakeups take() {
        Wakeups taken = new Wakeups();
        taken.workloads = workloads;
        taken.rollouts = rollouts;
        taken.all = all;
        workloads = new HashSet<>();
        rollouts = new HashSet<>();
        all = false;
        return taken;
    }

    synchronized boolean covers(Rollout r) {
        return all || workloads.contains(r.workload) || rollouts.contains(r.id);
    }
}
