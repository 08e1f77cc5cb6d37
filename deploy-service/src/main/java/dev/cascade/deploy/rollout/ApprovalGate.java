package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A namespace whose rollouts wait for {@code POST /api/rollouts/{id}/approve}. */
@Entity
@Table(name = "approval_gate")
public class ApprovalGate extends PanacheEntityBase {

    @Id
    public String namespace;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
