package dev.cascade.trigger.pipeline;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One pipeline of the view: the causal tree of one root trigger, with what started it and how it is going.
 * Its id is the {@code pipelineid} every event of the tree carries.
 */
@Entity
@Table(name = "pipeline")
public class Pipeline extends PanacheEntityBase {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    /** A failed canary holds the rest of its cascade's rollouts until the pipeline is resumed or aborted (deploy-service). */
    public static final String HELD = "held";

    @Id
    public UUID id;

    /** {@code git}, {@code image}, or the kind of the first node caused directly by the pipeline; null until known. */
    @Column(name = "trigger_kind")
    public String triggerKind;

    public String repository;

    @Column(name = "git_ref")
    public String gitRef;

    @Column(name = "git_commit")
    public String gitCommit;

    public String image;

    public String digest;

    public String config;

    @Column(name = "root_node_id")
    public Long rootNodeId;

    @Column(nullable = false)
    public String status;

    /** The last revision number given to a change of this pipeline or of one of its nodes. */
    @Column(nullable = false)
    public long revision;

    /** The revision of the last change of this row (status or trigger). */
    @Column(name = "status_revision", nullable = false)
    public long statusRevision;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** Takes the next revision number; the caller holds the row lock, so numbers follow commit order. */
    long nextRevision() {
        return ++revision;
    }
}
