package dev.cascade.trigger.secret;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A stored, encrypted webhook secret for one sender and repository (or image). */
@Entity
@Table(name = "webhook_secret")
public class WebhookSecret extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String sender;

    /** Canonical repository URL or image name; {@code *} for every subject of the sender. */
    @Column(nullable = false)
    public String subject;

    @Column(nullable = false)
    public byte[] nonce;

    @Column(nullable = false)
    public byte[] ciphertext;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;
}
