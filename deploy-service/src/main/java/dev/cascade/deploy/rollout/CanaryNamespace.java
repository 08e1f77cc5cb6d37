package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A namespace whose every watched workload is a canary of base-image cascades. */
@Entity
@Table(name = "canary_namespace")
public class CanaryNamespace extends PanacheEntityBase {

    @Id
    public String namespace;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
