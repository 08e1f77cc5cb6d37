package dev.cascade.build.events;

import dev.cascade.build.image.ImagePushes;
import dev.cascade.common.events.ImageReported;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.OutboxRelay;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Takes the registries' reports of pushes that trigger-service forwards ({@code cascade.image-reports}). */
@ApplicationScoped
public class ImageReportConsumer {

    private final IdempotentConsumer consumer;
    private final ImagePushes imagePushes;
    private final OutboxRelay relay;

    public ImageReportConsumer(IdempotentConsumer consumer, ImagePushes imagePushes, OutboxRelay relay) {
        this.consumer = consumer;
        this.imagePushes = imagePushes;
        this.relay = relay;
    }

    @Incoming("image-reports")
    public Uni<Void> onImageReported(Message<String> message) {
        // a push from outside is published now rather than at the relay's next poll
        return consumer.consume(message, "build-service.image-reports", ImageReported.class, imagePushes::reported)
                .invoke(relay::relaySoon);
    }
}
