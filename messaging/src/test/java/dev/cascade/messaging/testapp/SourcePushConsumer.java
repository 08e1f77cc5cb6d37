package dev.cascade.messaging.testapp;

import dev.cascade.common.events.SourcePushed;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A consumer as the services write them: {@code cascade.source} through {@link IdempotentConsumer}, its effect a row
 * per push. A push of the ref {@link #REFUSED_REF} is one its effect cannot process.
 */
@ApplicationScoped
public class SourcePushConsumer {

    public static final String NAME = "messaging-tests.source";
    public static final String REFUSED_REF = "refused-by-the-consumer";

    private final IdempotentConsumer consumer;

    public SourcePushConsumer(IdempotentConsumer consumer) {
        this.consumer = consumer;
    }

    @Incoming("source")
    public Uni<Void> onSourcePushed(Message<String> message) {
        return consumer.consume(message, NAME, SourcePushed.class, this::record);
    }

    Uni<Void> record(ReceivedEvent<SourcePushed> event) {
        SourcePushed push = event.data();
        if (REFUSED_REF.equals(push.ref())) {
            throw new UnprocessableEventException("the test consumer refuses the ref " + push.ref());
        }
        ConsumedPush row = new ConsumedPush();
        row.eventId = event.id();
        row.repository = push.repository();
        row.after = push.after();
        return row.persist().replaceWithVoid();
    }
}
