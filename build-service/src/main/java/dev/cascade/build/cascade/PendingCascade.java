package dev.cascade.build.cascade;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A base image push waiting out the coalescing window before its cascade is planned. */
@Entity
@Table(name = "pending_cascade")
public class PendingCascade extends PanacheEntityBase {

    /** Canonical {@code registry/repository:tag}. */
    @Id
    public String image;

    /** The latest digest pushed inside the window. */
    @Column(nullable = false)
    public String digest;

    /** The first push's pipeline, which the cascade runs in. */
    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    /** The first push's event, which caused the cascade. */
    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    /** How many later pushes joined the first. */
    @Column(nullable = false)
    public int coalesced;

    @Column(name = "first_seen", nullable = false)
    public OffsetDateTime firstSeen;

    @Column(name = "due_at", nullable = false)
    public OffsetDateTime dueAt;
}
