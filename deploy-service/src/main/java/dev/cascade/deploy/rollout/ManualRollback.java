package dev.cascade.deploy.rollout;

import dev.cascade.common.events.RolloutStatus;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.Workloads;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/** Rolling a workload back by request ({@code POST /api/workloads/{ns}/{kind}/{name}/rollback}). */
@ApplicationScoped
public class ManualRollback {

    private final Workloads workloads;
    private final RolloutTransitions transitions;
    private final Vertx vertx;

    public ManualRollback(Workloads workloads, RolloutTransitions transitions, Vertx vertx) {
        this.workloads = workloads;
        this.transitions = transitions;
        this.vertx = vertx;
    }

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
                                    .call(x -> transitions.end(x, Rollout.State.ROLLEDBACK, "rolled back by request to " + x.previousImage,
                                            RolloutStatus.ROLLEDBACK))));
                });
    }
}
