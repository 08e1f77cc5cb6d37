package dev.cascade.deploy.events;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A {@code cascade.image.pushed} event as deploy-service received it. */
@Entity
@Table(name = "image_push")
public class ImagePush extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    public String digest;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;
}
