package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Whether deploy-service knows every build a base image push caused: build-service's {@code cascade.cascade.planned}
 * names how many builds the plan queued, and each of them has a {@code cascade.build.queued} event. The two are keyed
 * differently (the base image, each config), so they arrive in either order; both are counted per pipeline
 * ({@code cascade_plan}, from the cascade's root push on), and the plan is complete once it is read and as many queued
 * builds are. Only the builds the root push caused count: a plan queues them under the push's own id as their
 * causation, which for a root push is the pipeline's id; later builds of the pipeline (an image its own build pushed)
 * were not in the plan. Each change runs in the consumer's transaction, under the pipeline's lock ({@link PipelineLock}),
 * and once per event (the consumer is idempotent).
 */
public final class CascadePlans {

    private CascadePlans() {
    }

    /**
     * What deploy-service has read of a pipeline's cascade.
     *
     * @param planned the builds build-service's plan queued; null until the plan is read
     * @param queued  the {@code cascade.build.queued} events of the plan's builds read
     * @param joined  the pipeline of an earlier push of the same tag whose open cascade this push joined (then the plan
     *                queued nothing here, and that cascade's builds are what its base's rollouts wait for); else null
     */
    public record Counts(Integer planned, int queued, UUID joined) {
        /** Whether the plan is read and so is every build it queued. */
        public boolean complete() {
            return planned != null && queued >= planned;
        }

        /** Why the cascade is not known whole yet, or empty when it is. */
        Optional<String> incomplete() {
            if (planned == null) {
                return Optional.of("build-service has yet to plan the cascade (it does once the base image push outlives its coalescing window)");
            }
            return complete() ? Optional.empty()
                    : Optional.of("deploy-service has read " + queued + " of the " + planned + " builds the cascade queued");
        }
    }

    /** The root push of a base-image cascade was read: the pipeline's cascade is followed from now on. */
    static Uni<Void> rootRead(UUID pipelineId) {
        return update("""
                INSERT INTO cascade_plan (pipeline_id, builds_queued, updated_at) VALUES (?1, 0, now())
                ON CONFLICT (pipeline_id) DO NOTHING""", pipelineId);
    }

    /** A queued build of the pipeline's plan was read. @return whether that completed the pipeline's plan */
    static Uni<Boolean> queuedBuildRead(UUID pipelineId) {
        return update("""
                INSERT INTO cascade_plan (pipeline_id, builds_queued, updated_at) VALUES (?1, 1, now())
                ON CONFLICT (pipeline_id) DO UPDATE SET builds_queued = cascade_plan.builds_queued + 1, updated_at = now()""", pipelineId)
                .chain(() -> counts(pipelineId))
                // exactly complete: the read that completed it, not a later one
                .map(c -> c.isPresent() && c.get().complete() && c.get().queued() == c.get().planned());
    }

    /** The pipeline's plan was read: it queued {@code builds}, for the cascade of {@code cascadePipeline}. */
    static Uni<Void> planRead(UUID pipelineId, int builds, UUID cascadePipeline) {
        if (cascadePipeline.equals(pipelineId)) {
            return update("""
                    INSERT INTO cascade_plan (pipeline_id, builds_planned, builds_queued, updated_at) VALUES (?1, ?2, 0, now())
                    ON CONFLICT (pipeline_id) DO UPDATE SET builds_planned = ?2, joined_pipeline = NULL, updated_at = now()""", pipelineId, builds);
        }
        return update("""
                INSERT INTO cascade_plan (pipeline_id, builds_planned, builds_queued, joined_pipeline, updated_at) VALUES (?1, ?2, 0, ?3, now())
                ON CONFLICT (pipeline_id) DO UPDATE SET builds_planned = ?2, joined_pipeline = ?3, updated_at = now()""", pipelineId, builds, cascadePipeline);
    }

    /** What deploy-service has read of the pipeline's cascade, if anything. Runs in the caller's session. */
    public static Uni<Optional<Counts>> counts(UUID pipelineId) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery("SELECT builds_planned, builds_queued, joined_pipeline FROM cascade_plan WHERE pipeline_id = ?1",
                                Object[].class)
                        .setParameter(1, pipelineId)
                        .getResultList())
                .map(CascadePlans::first);
    }

    private static Optional<Counts> first(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        return Optional.of(new Counts(row[0] == null ? null : ((Number) row[0]).intValue(), ((Number) row[1]).intValue(), (UUID) row[2]));
    }

    /** Runs a statement with its parameters bound in order ({@code ?1}, {@code ?2}, …). */
    private static Uni<Void> update(String sql, Object... parameters) {
        return Panache.getSession().chain(s -> {
            var query = s.createNativeQuery(sql);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            return query.executeUpdate();
        }).replaceWithVoid();
    }
}
