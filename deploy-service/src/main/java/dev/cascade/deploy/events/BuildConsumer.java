package dev.cascade.deploy.events;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.CascadePlanned;
import dev.cascade.common.events.EventTypes;
import dev.cascade.deploy.rollout.ExpectedImages;
import dev.cascade.deploy.rollout.RolloutDriver;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.IncomingEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Takes build-service's {@code cascade.build.*} events and its cascades' plans ({@code cascade.cascade.planned}): the images
 * each pipeline will still push, and whether every build of a base-image cascade is known, so that the cascade's rollouts
 * can wait for a canary whose image is still being built, or may be ({@link ExpectedImages}).
 */
@ApplicationScoped
public class BuildConsumer {

    private static final String CONSUMER = "deploy-service.builds";

    private final IdempotentConsumer consumer;
    private final ExpectedImages expected;
    private final RolloutDriver driver;

    public BuildConsumer(IdempotentConsumer consumer, ExpectedImages expected, RolloutDriver driver) {
        this.consumer = consumer;
        this.expected = expected;
        this.driver = driver;
    }

    @Incoming("builds")
    public Uni<Void> onBuild(Message<String> message) {
        AtomicBoolean review = new AtomicBoolean();
        Uni<Void> consumed = EventTypes.CASCADE_PLANNED.equals(IncomingEvents.type(message))
                ? consumer.consume(message, CONSUMER, CascadePlanned.class,
                        event -> expected.planned(event.pipelineId(), event.causationId(), event.data()).invoke(() -> review.set(true)))
                : consumer.consume(message, CONSUMER, BuildEvent.class,
                        event -> expected.buildChanged(event.pipelineId(), event.causationId(), event.data()).invoke(review::set).replaceWithVoid());
        return consumed
                .invoke(() -> {
                    if (review.get()) {
                        // committed: a canary no longer to come, or a cascade now known whole, may let waiting rollouts go
                        driver.driveSoon();
                    }
                });
    }
}
