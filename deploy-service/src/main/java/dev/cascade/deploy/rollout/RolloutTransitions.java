package dev.cascade.deploy.rollout;

import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;

/** Moves a rollout to a new state and reports it as a {@code cascade.rollout.*} event through the outbox. */
@ApplicationScoped
public class RolloutTransitions {

    private final Outbox outbox;

    public RolloutTransitions(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Ends (or moves) a rollout and publishes the matching event; runs in a transaction. */
    public Uni<Void> end(Rollout r, Rollout.State state, String reason, RolloutStatus event) {
        r.status = state;
        if (reason != null) {
            r.reason = reason;
        }
        r.updatedAt = OffsetDateTime.now();
        if (state.isFinal()) {
            r.finishedAt = r.updatedAt;
        }
        Log.infof("%s %s: rollout of %s %s%s", r.workloadKey(), r.container, r.image, state.name().toLowerCase(),
                reason == null ? "" : " (" + reason + ")");
        return emit(r, event);
    }

    /** Publishes the rollout as it is now; runs in a transaction. */
    public Uni<Void> emit(Rollout r, RolloutStatus status) {
        RolloutEvent e = new RolloutEvent(r.id.toString(), r.workload.namespace(), r.workload.kind(), r.workload.name(), r.container,
                r.image, r.previousImage, status, r.reason, OffsetDateTime.now().toInstant());
        return outbox.add(e, new Causation(r.pipelineId, r.causationId)).replaceWithVoid();
    }
}
