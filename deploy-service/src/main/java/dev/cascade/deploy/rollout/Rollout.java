package dev.cascade.deploy.rollout;

import dev.cascade.deploy.kube.WorkloadRef;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Rolling one image out to one container of one workload, from decision to outcome. */
@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {

    /** Where a rollout is. The first six wait or act; the rest are final. */
    public enum State {
        AWAITING_APPROVAL, WAITING, HELD, HOOK_RUNNING, PENDING, PROGRESSING, SUCCEEDED, FAILED, ROLLEDBACK, SUPERSEDED, ABORTED;

        /**
         * The states the driver moves on; a rollout awaiting approval waits for a person, one waiting for its cascade's
         * canaries waits for {@link CanaryGates}, a held one for a person to resume or abort its pipeline.
         */
        public static final List<State> DRIVEN = List.of(PENDING, HOOK_RUNNING, PROGRESSING);

        public boolean isFinal() {
            return ordinal() >= SUCCEEDED.ordinal();
        }
    }

    @Id
    public UUID id;

    @Embedded
    public WorkloadRef workload;

    @Column(nullable = false)
    public String container;

    /** {@code registry/repository@sha256:…} */
    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    public String tag;

    @Column(name = "previous_image")
    public String previousImage;

    @Column(nullable = false)
    @Enumerated(EnumType.STRING)
    public State status;

    public String reason;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "causation_id", nullable = false)
    public UUID causationId;

    @Column(name = "pushed_at", nullable = false)
    public OffsetDateTime pushedAt;

    /** The workload's generation before the patch; the controller must report a later one. */
    @Column(name = "base_generation")
    public Long baseGeneration;

    /** The workload was a canary of a base-image cascade when the rollout was planned. */
    @Column(nullable = false)
    public boolean canary;

    @Column(name = "hook_job")
    public String hookJob;

    @Column(name = "hook_log")
    public String hookLog;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    public String workloadKey() {
        return workload.key();
    }
}
