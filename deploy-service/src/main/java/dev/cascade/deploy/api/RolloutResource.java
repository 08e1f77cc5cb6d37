package dev.cascade.deploy.api;

import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.rollout.Rollout;
import dev.cascade.deploy.rollout.RolloutDriver;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Rollouts: what was rolled out where, how it went, and approving the ones that wait. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {

    /** REST view of a rollout. */
    public record RolloutView(UUID id, String namespace, String kind, String name, String container, String image, String tag,
                              String previousImage, String status, String reason, UUID pipelineId, boolean canary, String hookJob,
                              String hookLog, OffsetDateTime createdAt, OffsetDateTime finishedAt) {
        static RolloutView of(Rollout r) {
            return new RolloutView(r.id, r.workload.namespace(), r.workload.kind(), r.workload.name(), r.container, r.image, r.tag, r.previousImage,
                    r.status.name().toLowerCase(Locale.ROOT).replace('_', '-'), r.reason, r.pipelineId, r.canary, r.hookJob, r.hookLog,
                    r.createdAt, r.finishedAt);
        }
    }

    private final RolloutDriver driver;

    public RolloutResource(RolloutDriver driver) {
        this.driver = driver;
    }

    @GET
    @WithSession
    @Operation(summary = "Rollouts, newest first; filter by namespace, workload name, status and pipeline")
    public Uni<List<RolloutView>> list(@QueryParam("namespace") String namespace, @QueryParam("workload") String workload,
                                       @QueryParam("status") String status, @QueryParam("pipeline") UUID pipeline,
                                       @QueryParam("limit") @DefaultValue("100") int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (namespace != null) {
            q.append(" and workload.namespace = :namespace");
            p.and("namespace", namespace);
        }
        if (workload != null) {
            q.append(" and workload.name = :name");
            p.and("name", workload);
        }
        if (status != null) {
            try {
                p.and("status", Rollout.State.valueOf(status.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown rollout status " + status);
            }
            q.append(" and status = :status");
        }
        if (pipeline != null) {
            q.append(" and pipelineId = :pipeline");
            p.and("pipeline", pipeline);
        }
        return Rollout.<Rollout>find(q.toString(), Sort.descending("createdAt"), p).page(0, Math.max(1, Math.min(limit, 1000))).list()
                .map(l -> l.stream().map(RolloutView::of).toList());
    }

    @GET
    @Path("/{id}")
    @WithSession
    @Operation(summary = "One rollout, with its hook's log when it had one")
    public Uni<RolloutView> get(@PathParam("id") UUID id) {
        return find(id).map(RolloutView::of);
    }

    @POST
    @Path("/{id}/approve")
    @Operation(summary = "Let a rollout that waits at its namespace's approval gate go ahead")
    public Uni<RolloutView> approve(@PathParam("id") UUID id) {
        return Panache.withTransaction(() -> find(id).map(r -> {
                    if (r.status != Rollout.State.AWAITING_APPROVAL) {
                        throw new IllegalArgumentException("rollout " + id + " is " + r.status.name().toLowerCase(Locale.ROOT)
                                + ", not awaiting approval");
                    }
                    r.status = Rollout.State.PENDING;
                    r.updatedAt = OffsetDateTime.now();
                    return RolloutView.of(r);
                }))
                // committed: the driver takes it from here at once
                .invoke(view -> driver.driveSoon(new WorkloadRef(view.namespace(), view.kind(), view.name())));
    }

    private static Uni<Rollout> find(UUID id) {
        return Rollout.<Rollout>findById(id).onItem().ifNull().failWith(() -> new NotFoundException("no rollout " + id));
    }
}
