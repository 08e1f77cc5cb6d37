package dev.cascade.deploy.events;

import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.image.ImageRef;
import dev.cascade.deploy.rollout.ExpectedImages;
import dev.cascade.deploy.rollout.RolloutDriver;
import dev.cascade.deploy.rollout.RolloutPlanner;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Takes new images from {@code cascade.images}: the pushes rollouts are made from. */
@ApplicationScoped
public class ImageConsumer {

    /** The sender of the pushes of builds' own images. */
    static final String BUILD_SENDER = "build";

    private final IdempotentConsumer consumer;
    private final RolloutPlanner planner;
    private final RolloutDriver driver;
    private final ExpectedImages expected;

    public ImageConsumer(IdempotentConsumer consumer, RolloutPlanner planner, RolloutDriver driver, ExpectedImages expected) {
        this.consumer = consumer;
        this.planner = planner;
        this.driver = driver;
        this.expected = expected;
    }

    @Incoming("images")
    public Uni<Void> onImagePushed(Message<String> message) {
        // once the planned rollouts have committed, the driver starts them without waiting for its resync
        return consumer.consume(message, "deploy-service.images", ImagePushed.class, this::record)
                .invoke(() -> driver.driveSoon());
    }

    Uni<Void> record(ReceivedEvent<ImagePushed> event) {
        ImagePushed pushed = event.data();
        ImagePush row = new ImagePush();
        try {
            row.image = ImageRef.parse(pushed.image()).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new UnprocessableEventException("image pushed with an invalid reference: " + e.getMessage());
        }
        row.eventId = event.id();
        row.pipelineId = event.pipelineId();
        row.digest = pushed.digest();
        row.receivedAt = OffsetDateTime.now();
        Log.infof("image pushed: %s@%s (pipeline %s)", row.image, row.digest, row.pipelineId);
        // the pipeline's builds of this image are expected no more: its canaries' rollouts, placed first, take over
        return row.persist()
                .chain(() -> expected.pushed(row.pipelineId, row.image))
                .chain(() -> baseImageCascade(event))
                // the root of a base-image cascade: its builds are unknown until build-service's plan is read
                .call(cascade -> cascade && event.id().equals(event.pipelineId()) ? expected.cascadeStarted(row.pipelineId) : Uni.createFrom().voidItem())
                .chain(cascade -> planner.plan(event, cascade))
                .replaceWithVoid();
    }

    /**
     * Whether the push belongs to a base-image cascade: a pipeline whose root is a push from outside Cascade (a
     * registry's report or a check of a watched tag), published under the pipeline's own id. A git push's or a build
     * request's pipeline has another root, and its builds' pushes carry other ids. The root is received before the
     * pushes of the builds it caused, since those builds start only once build-service has taken it.
     */
    static Uni<Boolean> baseImageCascade(ReceivedEvent<ImagePushed> event) {
        if (event.id().equals(event.pipelineId())) {
            return Uni.createFrom().item(!BUILD_SENDER.equals(event.data().sender()));
        }
        return ImagePush.<ImagePush>findById(event.pipelineId()).map(root -> root != null);
    }
}
