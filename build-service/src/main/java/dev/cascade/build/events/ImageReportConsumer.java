package dev.cascade.build.events;

import dev.cascade.build.image.ImagePushes;
import dev.cascade.build.image.ReportChecks;
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
    private final ReportChecks checks;
    private final OutboxRelay relay;

    public ImageReportConsumer(IdempotentConsumer consumer, ImagePushes imagePushes, ReportChecks checks, OutboxRelay relay) {
        this.consumer = consumer;
        this.imagePushes = imagePushes;
        this.checks = checks;
        this.relay = relay;
    }

    @Incoming("image-reports")
    public Uni<Void> onImageReported(Message<String> message) {
        // the report, once taken, is confirmed with its registry now rather than at the checks' next poll, so the reports
        // of one repository are acted on in order while their registry answers; one it cannot answer waits in the
        // checks without holding the partition. A push from outside is published now rather than at the relay's next poll.
        return consumer.consume(message, "build-service.image-reports", ImageReported.class, imagePushes::reported)
                .chain(checks::checkNew)
                .invoke(relay::relaySoon);
    }
}
