package dev.cascade.trigger.intake;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

/** One webhook delivery and what trigger-service did about it. */
@Entity
@Table(name = "delivery")
public class Delivery extends PanacheEntityBase {

    /** What became of a delivery. */
    public enum Status {
        ACCEPTED, DUPLICATE, IGNORED, REJECTED;

        public String dbValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Id
    public UUID id;

    @Column(nullable = false)
    public String sender;

    @Column(name = "event_name")
    public String eventName;

    @Column(name = "dedup_key")
    public String dedupKey;

    @Column(nullable = false)
    @jakarta.persistence.Convert(converter = StatusConverter.class)
    public Status status;

    public String reason;

    public String subject;

    @Column(name = "pipeline_id")
    public UUID pipelineId;

    @Column(name = "duplicate_of")
    public UUID duplicateOf;

    @Column(name = "redelivery_of")
    public UUID redeliveryOf;

    @Column(name = "content_type")
    public String contentType;

    /** Request headers as JSON, without any header that carries a secret. */
    public String headers;

    public byte[] body;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;
}
