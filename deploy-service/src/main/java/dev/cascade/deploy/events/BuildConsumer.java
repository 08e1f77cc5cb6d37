package dev.cascade.deploy.events;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.deploy.rollout.ExpectedImages;
import dev.cascade.deploy.rollout.RolloutDriver;
import dev.cascade.messaging.IdempotentConsumer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Takes build-service's {@code cascade.build.*} events: the images each pipeline will still push, so that a base-image
 * cascade's rollouts can wait for a canary whose image is still being built ({@link ExpectedImages}).
 */
@ApplicationScoped
public class BuildConsumer {

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
        AtomicBoolean dropped = new AtomicBoolean();
        return consumer.consume(message, "deploy-service.builds", BuildEvent.class,
                        event -> expected.buildChanged(event.pipelineId(), event.data()).invoke(dropped::set).replaceWithVoid())
                .invoke(() -> {
                    if (dropped.get()) {
                        driver.driveSoon(); // committed: a canary no longer to come may let waiting rollouts go
                    }
                });
    }
}
