package dev.cascade.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Runs a consumer's effect at most once per event id, in one transaction with the record of having done
 * so, and settles the Kafka message: acked when done or already done, nacked (so the connector's
 * dead-letter strategy sends it to {@code <topic>.dlq} with the reason) when it cannot be processed. While the
 * database cannot be reached the event is tried again until it can: an outage delays events, it loses none.
 */
@ApplicationScoped
public class IdempotentConsumer {

    private static final int RETRIES = 8;

    private final IncomingEvents incoming;
    private final ProcessedEvents processed;
    private final MeterRegistry metrics;

    public IdempotentConsumer(IncomingEvents incoming, ProcessedEvents processed, MeterRegistry metrics) {
        this.incoming = incoming;
        this.processed = processed;
        this.metrics = metrics;
    }

    /** {@code cascade_events_consumed_total{consumer, outcome}}: processed, redelivered (already done) or dead-lettered. */
    private void count(String consumer, String outcome) {
        metrics.counter("cascade.events.consumed", "consumer", consumer, "outcome", outcome).increment();
    }

    public <T> Uni<Void> consume(Message<?> message, String consumer, Class<T> dataType,
                                 Function<ReceivedEvent<T>, Uni<Void>> effect) {
        ReceivedEvent<T> event;
        try {
            event = incoming.read(message, dataType);
        } catch (UnprocessableEventException e) {
            Log.warnf("%s: dead-lettering a message: %s", consumer, e.getMessage());
            count(consumer, "dead-lettered");
            return Uni.createFrom().completionStage(message.nack(e));
        }
        AtomicReference<String> outcome = new AtomicReference<>(); // of the try that committed
        return Panache.withTransaction(() -> processed.firstTime(consumer, event)
                        .chain(first -> {
                            if (!first) {
                                Log.debugf("%s: event %s already processed, acknowledging the redelivery", consumer, event.id());
                                outcome.set("redelivered");
                                return Uni.createFrom().voidItem();
                            }
                            outcome.set("processed");
                            return effect.apply(event);
                        }))
                // the database being away (a restart, a failover) is no reason to dead-letter an event: the event
                // waits for it, and keeps its place in the partition, however long that takes
                .onFailure(DatabaseUnavailable::is).invoke(f -> Log.warnf("%s: event %s waits for the database: %s", consumer, event.id(),
                        f.getMessage()))
                .onFailure(DatabaseUnavailable::is).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely()
                // another failure may be a conflict with a concurrent transaction: a few tries, then the dead-letter topic
                .onFailure(f -> !(f instanceof UnprocessableEventException))
                .retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure == null) {
                        count(consumer, outcome.get());
                        return Uni.createFrom().completionStage(message.ack());
                    }
                    Log.errorf(failure, "%s: processing event %s (%s) failed", consumer, event.id(), event.type());
                    count(consumer, "dead-lettered");
                    return Uni.createFrom().completionStage(message.nack(failure));
                });
    }
}
