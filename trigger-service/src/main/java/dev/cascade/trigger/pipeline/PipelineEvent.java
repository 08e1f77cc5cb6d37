package dev.cascade.trigger.pipeline;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An event the pipeline view has applied, and the node it applied to: how a causation id finds its node. */
@Entity
@Table(name = "pipeline_event")
public class PipelineEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "node_id", nullable = false)
    public Long nodeId;

    @Column(name = "event_type", nullable = false)
    public String type;

    @Column(name = "causation_id", nullable = false)
    public UUID causationId;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;
}
