package dev.cascade.build.queue;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;

/** The {@code cascade.build.*} event of a build's current state, and its way into the outbox. */
@ApplicationScoped
public class BuildEvents {

    private final Outbox outbox;

    public BuildEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /** The event of {@code b} as it is now; the build's status decides its type. */
    static BuildEvent of(Build b) {
        return new BuildEvent(b.id.toString(), b.config, b.status, b.commit, b.image, b.digest,
                BuildColumns.baseDigests(b.baseDigests), b.reason, OffsetDateTime.now().toInstant(), b.number,
                BuildColumns.after(b.afterConfigs));
    }

    /** Adds the event of {@code b} as it is now to the outbox, in the caller's transaction. */
    Uni<Void> emit(Build b) {
        return emitted(b).replaceWithVoid();
    }

    /** Adds the event of {@code b} as it is now to the outbox, in the caller's transaction; the event's place in the pipeline. */
    Uni<Causation> emitted(Build b) {
        return outbox.add(of(b), new Causation(b.pipelineId, b.causationId)).map(e -> new Causation(b.pipelineId, e.eventId));
    }
}
