package dev.cascade.build.events;

import dev.cascade.build.graph.KnownImage;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.image.ImageRef;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Takes the triggers trigger-service publishes: source pushes and image pushes. */
@ApplicationScoped
public class TriggerConsumer {

    private final IdempotentConsumer consumer;

    public TriggerConsumer(IdempotentConsumer consumer) {
        this.consumer = consumer;
    }

    @Incoming("source")
    public Uni<Void> onSourcePushed(Message<String> message) {
        return consumer.consume(message, "build-service.source", SourcePushed.class, this::recordPush);
    }

    @Incoming("images")
    public Uni<Void> onImagePushed(Message<String> message) {
        return consumer.consume(message, "build-service.images", ImagePushed.class, this::recordImage);
    }

    Uni<Void> recordPush(ReceivedEvent<SourcePushed> event) {
        SourcePushed push = event.data();
        SourcePush row = new SourcePush();
        row.eventId = event.id();
        row.pipelineId = event.pipelineId();
        row.repository = push.repository();
        row.refType = push.refType().name();
        row.ref = push.ref();
        row.afterCommit = push.after();
        row.receivedAt = OffsetDateTime.now();
        Log.infof("source pushed: %s %s at %s (pipeline %s)", push.repository(), push.ref(), push.after(), event.pipelineId());
        return row.persist().replaceWithVoid();
    }

    Uni<Void> recordImage(ReceivedEvent<ImagePushed> event) {
        ImagePushed pushed = event.data();
        String image;
        try {
            image = ImageRef.parse(pushed.image()).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new UnprocessableEventException("image pushed with an invalid reference: " + e.getMessage());
        }
        Log.infof("image pushed: %s@%s (pipeline %s)", image, pushed.digest(), event.pipelineId());
        return KnownImage.<KnownImage>findById(image).chain(existing -> {
            KnownImage row = existing != null ? existing : new KnownImage();
            row.image = image;
            row.digest = pushed.digest();
            row.pipelineId = event.pipelineId();
            row.eventId = event.id();
            row.updatedAt = OffsetDateTime.now();
            return existing != null ? Uni.createFrom().voidItem() : row.persist().replaceWithVoid();
        });
    }
}
