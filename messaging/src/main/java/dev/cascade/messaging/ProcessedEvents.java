package dev.cascade.messaging;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The idempotent-consumer record: which events a consumer has acted on. Used inside the transaction
 * of the effect, so the effect and the record commit together or not at all.
 */
@ApplicationScoped
public class ProcessedEvents {

    /**
     * Records that {@code consumer} processes {@code event}; must run in the effect's transaction.
     *
     * @return {@code true} the first time, {@code false} for a redelivery (then nothing is to be done)
     */
    public Uni<Boolean> firstTime(String consumer, ReceivedEvent<?> event) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "INSERT INTO processed_event (consumer, event_id, event_type) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                .setParameter(1, consumer)
                .setParameter(2, event.id().toString())
                .setParameter(3, event.type())
                .executeUpdate())
                .map(inserted -> inserted == 1);
    }
}
