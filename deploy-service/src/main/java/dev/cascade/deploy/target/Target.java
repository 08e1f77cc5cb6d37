package dev.cascade.deploy.target;

import dev.cascade.deploy.kube.WorkloadRef;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A workload container registered over REST to follow an image (the alternative to the annotation). */
@Entity
@Table(name = "target")
public class Target extends PanacheEntityBase {

    @Id
    public UUID id;

    @Embedded
    public WorkloadRef workload;

    @Column(nullable = false)
    public String container;

    @Column(name = "from_image", nullable = false)
    public String fromImage;

    @Column(nullable = false)
    public String policy;

    public String bound;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    public ImageTrigger trigger() {
        return new ImageTrigger(fromImage, container, policy, bound);
    }
}
