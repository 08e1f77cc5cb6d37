package dev.cascade.build.events;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A {@code cascade.source.pushed} event as build-service received it. */
@Entity
@Table(name = "source_push")
public class SourcePush extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(nullable = false)
    public String repository;

    @Column(name = "ref_type", nullable = false)
    public String refType;

    @Column(nullable = false)
    public String ref;

    @Column(name = "after_commit", nullable = false)
    public String afterCommit;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;
}
