package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Where the canaries of one base-image cascade (a pipeline) are: rolling out, soaking, passed, or held. */
@Entity
@Table(name = "canary_stage")
public class CanaryStage extends PanacheEntityBase {

    /**
     * The stage's states; the other rollouts of the pipeline go ahead only in {@code PASSED} and {@code RESUMED}, and then
     * only while no build of the cascade makes an image a canary follows ({@code EXPECTED} while one does).
     */
    public enum Status {
        EXPECTED, CANARY, SOAKING, PASSED, HELD, RESUMED, ABORTED;

        /** The states {@link CanaryGates#review} looks at: a canary's image expected, canaries under way or soaking. */
        public static final List<Status> OPEN = List.of(EXPECTED, CANARY, SOAKING);

        /** The pipeline's other rollouts may roll out. */
        public boolean letsThrough() {
            return this == PASSED || this == RESUMED;
        }
    }

    @Id
    @Column(name = "pipeline_id")
    public UUID pipelineId;

    @Column(nullable = false)
    @Enumerated(EnumType.STRING)
    public Status status;

    public String reason;

    /** While {@code SOAKING}: when the canaries will have stayed healthy long enough. */
    @Column(name = "soak_until")
    public OffsetDateTime soakUntil;

    /** When the stage was opened, or reopened by a later wave's canary: the canary rollouts planned since are the ones it waits for. */
    @Column(name = "opened_at", nullable = false)
    public OffsetDateTime openedAt;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
