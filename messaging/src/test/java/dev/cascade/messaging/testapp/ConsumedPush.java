package dev.cascade.messaging.testapp;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** What the test consumer does with a source push: one row, written in the transaction of its processed-event record. */
@Entity
@Table(name = "consumed_push")
public class ConsumedPush extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    @Column(nullable = false)
    public String repository;

    @Column(name = "after_commit", nullable = false)
    public String after;
}
