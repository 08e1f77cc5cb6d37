package dev.cascade.deploy.api;

import dev.cascade.deploy.rollout.CanaryGates;
import dev.cascade.deploy.rollout.CanaryStage;
import dev.cascade.deploy.rollout.CascadePlans;
import dev.cascade.deploy.rollout.ExpectedBuild;
import dev.cascade.deploy.rollout.Rollout;
import dev.cascade.deploy.rollout.RolloutDriver;
import dev.cascade.messaging.OutboxRelay;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The rollout side of a pipeline: its canary stage, and resuming or aborting a pipeline a failed canary holds. The
 * pipeline tree itself is trigger-service's ({@code GET /api/pipelines/{id}} there); these act, so they are served by
 * the service that holds the rollouts.
 */
@Path("/api/pipelines")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {

    /** A pipeline's canary stage and its rollouts. */
    public record CanaryView(UUID pipelineId, String status, String reason, OffsetDateTime soakUntil,
                             List<RolloutResource.RolloutView> rollouts) {
        static CanaryView of(CanaryStage s, List<Rollout> rollouts) {
            return new CanaryView(s.pipelineId, s.status.name().toLowerCase(Locale.ROOT), s.reason, s.soakUntil,
                    rollouts.stream().map(RolloutResource.RolloutView::of).toList());
        }
    }

    /** A build of the pipeline whose image has not been received yet: {@code queued}, {@code started} or {@code succeeded} (pushed). */
    public record ExpectedView(String buildId, String config, String image, String status, String digest) {
        static ExpectedView of(ExpectedBuild b) {
            return new ExpectedView(b.buildId, b.config, b.image, b.status.name().toLowerCase(Locale.ROOT), b.digest);
        }
    }

    private final CanaryGates gates;
    private final RolloutDriver driver;
    private final OutboxRelay relay;

    public PipelineResource(CanaryGates gates, RolloutDriver driver, OutboxRelay relay) {
        this.gates = gates;
        this.driver = driver;
        this.relay = relay;
    }

    @GET
    @Path("/{id}/canary")
    @WithSession
    @Operation(summary = "The pipeline's canary stage (canary, soaking, passed, held, resumed, aborted) and its rollouts")
    public Uni<CanaryView> canary(@PathParam("id") UUID id) {
        return CanaryStage.<CanaryStage>findById(id)
                .onItem().ifNull().failWith(() -> new NotFoundException("pipeline " + id + " has no canary stage"))
                .chain(this::view);
    }

    @GET
    @Path("/{id}/expected")
    @WithSession
    @Operation(summary = "The images the pipeline's builds have yet to push, as deploy-service knows them from the build events")
    public Uni<List<ExpectedView>> expected(@PathParam("id") UUID id) {
        return ExpectedBuild.<ExpectedBuild>list("pipelineId = ?1", Sort.ascending("createdAt", "buildId"), id)
                .map(bs -> bs.stream().map(ExpectedView::of).toList());
    }

    /**
     * What deploy-service has read of a base image push's cascade: the builds its plan queued, how many of them it has read,
     * and the pipeline of the earlier push whose open cascade it joined, if it did.
     */
    public record PlanView(UUID pipelineId, Integer buildsPlanned, int buildsRead, boolean complete, UUID joinedPipeline) {
    }

    @GET
    @Path("/{id}/plan")
    @WithSession
    @Operation(summary = "What deploy-service has read of the pipeline's cascade: build-service's plan (how many builds it queued) and"
            + " the queued builds read so far; a base-image cascade's rollouts wait for canaries until it is complete")
    public Uni<PlanView> plan(@PathParam("id") UUID id) {
        return CascadePlans.counts(id).map(c -> c.map(k -> new PlanView(id, k.planned(), k.queued(), k.complete(), k.joined()))
                .orElseThrow(() -> new NotFoundException("nothing is known of a cascade of pipeline " + id)));
    }

    @POST
    @Path("/{id}/resume")
    @Operation(summary = "Let the rollouts a failed canary holds go ahead")
    public Uni<CanaryView> resume(@PathParam("id") UUID id) {
        return Panache.withTransaction(() -> gates.resume(id).chain(this::view))
                .invoke(() -> driver.driveSoon()); // committed: the released rollouts start at once
    }

    @POST
    @Path("/{id}/abort")
    @Operation(summary = "End the rollouts of the pipeline that wait for its canaries or are held, and any later ones, as aborted")
    public Uni<CanaryView> abort(@PathParam("id") UUID id) {
        return Panache.withTransaction(() -> gates.abort(id).chain(this::view))
                .invoke(() -> relay.relaySoon());
    }

    private Uni<CanaryView> view(CanaryStage s) {
        return Rollout.<Rollout>list("pipelineId = ?1", Sort.ascending("createdAt"), s.pipelineId).map(rs -> CanaryView.of(s, rs));
    }
}
