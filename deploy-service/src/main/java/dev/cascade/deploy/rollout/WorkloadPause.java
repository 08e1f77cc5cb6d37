package dev.cascade.deploy.rollout;

import dev.cascade.deploy.kube.WorkloadRef;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A workload whose automatic rollouts are paused. */
@Entity
@Table(name = "workload_pause")
public class WorkloadPause extends PanacheEntityBase {

    @EmbeddedId
    public WorkloadRef workload;

    @Column(name = "paused_at", nullable = false)
    public OffsetDateTime pausedAt;
}
