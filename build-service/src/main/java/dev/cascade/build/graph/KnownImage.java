package dev.cascade.build.graph;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** The digest an image tag points at, as far as the latest {@code cascade.image.pushed} told. */
@Entity
@Table(name = "known_image")
public class KnownImage extends PanacheEntityBase {

    @Id
    public String image;

    @Column(nullable = false)
    public String digest;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
