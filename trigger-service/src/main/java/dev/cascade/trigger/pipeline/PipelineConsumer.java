package dev.cascade.trigger.pipeline;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.IncomingEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads the four topics of the event contract into the pipeline view (consumer group {@code trigger-service}).
 * Each event is applied once, however often Kafka delivers it; one that cannot be read goes to the topic's DLQ.
 */
@ApplicationScoped
public class PipelineConsumer {

    /** The name under which processed events are remembered. */
    static final String CONSUMER = "trigger-service.pipelines";

    private final IdempotentConsumer consumer;
    private final PipelineProjection projection;

    public PipelineConsumer(IdempotentConsumer consumer, PipelineProjection projection) {
        this.consumer = consumer;
        this.projection = projection;
    }

    @Incoming("pipeline-source")
    public Uni<Void> onSource(Message<String> message) {
        return consumer.consume(message, CONSUMER, SourcePushed.class, projection::sourcePushed);
    }

    @Incoming("pipeline-images")
    public Uni<Void> onImage(Message<String> message) {
        return consumer.consume(message, CONSUMER, ImagePushed.class, projection::imagePushed);
    }

    @Incoming("pipeline-builds")
    public Uni<Void> onBuild(Message<String> message) {
        if (EventTypes.CASCADE_PLANNED.equals(IncomingEvents.type(message))) {
            // the view shows a cascade by its builds' own events; the plan beside them adds nothing to it
            return Uni.createFrom().completionStage(message.ack());
        }
        return consumer.consume(message, CONSUMER, BuildEvent.class, projection::build);
    }

    @Incoming("pipeline-rollouts")
    public Uni<Void> onRollout(Message<String> message) {
        return consumer.consume(message, CONSUMER, RolloutEvent.class, projection::rollout);
    }
}
