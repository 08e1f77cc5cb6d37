package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.UUID;

/** Serialises what is decided about one pipeline's rollouts across replicas, until the caller's transaction ends. */
final class PipelineLock {

    private PipelineLock() {
    }

    /** A transaction-scoped advisory lock on the pipeline; taking it again in the same transaction is allowed. */
    static Uni<Void> take(UUID pipelineId) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery("SELECT pg_advisory_xact_lock(?1)", Object.class)
                        .setParameter(1, pipelineId.getMostSignificantBits() ^ pipelineId.getLeastSignificantBits())
                        .getSingleResult())
                .replaceWithVoid();
    }
}
