package dev.cascade.trigger.intake;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** An event a delivery caused, and the pipeline it belongs to: its own (a root event), or a running build's. */
@Entity
@Table(name = "delivery_event")
public class DeliveryEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "delivery_id", nullable = false)
    public UUID deliveryId;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "event_type", nullable = false)
    public String type;

    @Column(name = "event_key", nullable = false)
    public String key;
}
