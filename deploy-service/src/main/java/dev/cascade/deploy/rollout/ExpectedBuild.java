package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A build of a pipeline whose image deploy-service has not received yet: an image the pipeline will still push. */
@Entity
@Table(name = "expected_build")
public class ExpectedBuild extends PanacheEntityBase {

    /** Where the build is: it may still push ({@code QUEUED}, {@code STARTED}), or it has pushed and its image push is on its way. */
    public enum Status {
        QUEUED, STARTED, SUCCEEDED
    }

    @Id
    @Column(name = "build_id")
    public String buildId;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(nullable = false)
    public String config;

    /** Canonical {@code registry/repository:tag}. */
    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    @Enumerated(EnumType.STRING)
    public Status status;

    /** The digest pushed, once the build has succeeded. */
    public String digest;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
