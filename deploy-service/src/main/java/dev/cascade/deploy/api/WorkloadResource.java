package dev.cascade.deploy.api;

import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.Workloads;
import dev.cascade.deploy.rollout.ApprovalGate;
import dev.cascade.deploy.rollout.CanaryNamespace;
import dev.cascade.deploy.rollout.ManualRollback;
import dev.cascade.deploy.rollout.WorkloadPause;
import dev.cascade.deploy.target.ImageTrigger;
import dev.cascade.deploy.target.Target;
import dev.cascade.deploy.target.TargetIndex;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Per workload and per namespace controls: rollback, pause and resume, approval gates, canary namespaces, registered targets. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class WorkloadResource {

    /** A target registered over REST instead of the annotation. */
    public record TargetSpec(String namespace, String kind, String name, String container, String from, String policy, String bound) {
    }

    /** A watched workload: what its containers run and which images it follows. */
    public record WorkloadView(String namespace, String kind, String name, java.util.Map<String, String> images,
                               List<ImageTrigger> follows) {
    }

    private final ManualRollback rollbacks;
    private final TargetIndex index;

    public WorkloadResource(ManualRollback rollbacks, TargetIndex index) {
        this.rollbacks = rollbacks;
        this.index = index;
    }

    @GET
    @Path("/workloads")
    @WithSession
    @Operation(summary = "The workloads in the watched namespaces, their containers' images and the images they follow "
            + "(by annotation or by a target registered over REST)")
    public Uni<List<WorkloadView>> workloads() {
        return Target.<Target>listAll().map(targets -> index.all().stream()
                .sorted(java.util.Comparator.comparing(TargetIndex.WatchedWorkload::key))
                .map(w -> {
                    List<ImageTrigger> follows = new java.util.ArrayList<>(w.triggers());
                    targets.stream().filter(t -> t.workload.equals(w.ref()))
                            .forEach(t -> follows.add(t.trigger()));
                    return new WorkloadView(w.ref().namespace(), w.ref().kind(), w.ref().name(), w.images(), follows);
                })
                .toList());
    }

    @POST
    @Path("/workloads/{namespace}/{kind}/{name}/rollback")
    @Operation(summary = "Put back the image the workload ran before its latest successful rollout")
    public Uni<RolloutResource.RolloutView> rollback(@PathParam("namespace") String namespace, @PathParam("kind") String kind,
                                                     @PathParam("name") String name) {
        checkKind(kind);
        return rollbacks.rollback(new WorkloadRef(namespace, kind, name)).map(RolloutResource.RolloutView::of);
    }

    @POST
    @Path("/workloads/{namespace}/{kind}/{name}/pause")
    @WithTransaction
    @Operation(summary = "Stop rolling new images out to this workload until resumed")
    public Uni<Response> pause(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name) {
        checkKind(kind);
        WorkloadRef workload = new WorkloadRef(namespace, kind, name);
        return WorkloadPause.<WorkloadPause>findById(workload).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(Response.noContent().build());
            }
            WorkloadPause p = new WorkloadPause();
            p.workload = workload;
            p.pausedAt = OffsetDateTime.now();
            return p.persist().map(x -> Response.noContent().build());
        });
    }

    @POST
    @Path("/workloads/{namespace}/{kind}/{name}/resume")
    @WithTransaction
    @Operation(summary = "Roll new images out to this workload again")
    public Uni<Response> resume(@PathParam("namespace") String namespace, @PathParam("kind") String kind, @PathParam("name") String name) {
        checkKind(kind);
        return WorkloadPause.deleteById(new WorkloadRef(namespace, kind, name)).map(x -> Response.noContent().build());
    }

    @PUT
    @Path("/namespaces/{namespace}/approval-gate")
    @WithTransaction
    @Operation(summary = "Make rollouts in this namespace wait for an approval")
    public Uni<Response> gate(@PathParam("namespace") String namespace) {
        return ApprovalGate.<ApprovalGate>findById(namespace).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(Response.noContent().build());
            }
            ApprovalGate g = new ApprovalGate();
            g.namespace = namespace;
            g.createdAt = OffsetDateTime.now();
            return g.persist().map(x -> Response.noContent().build());
        });
    }

    @PUT
    @Path("/namespaces/{namespace}/canary")
    @WithTransaction
    @Operation(summary = "Make every watched workload in this namespace a canary of base-image cascades")
    public Uni<Response> canary(@PathParam("namespace") String namespace) {
        return CanaryNamespace.<CanaryNamespace>findById(namespace).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(Response.noContent().build());
            }
            CanaryNamespace c = new CanaryNamespace();
            c.namespace = namespace;
            c.createdAt = OffsetDateTime.now();
            return c.persist().map(x -> Response.noContent().build());
        });
    }

    @DELETE
    @Path("/namespaces/{namespace}/canary")
    @WithTransaction
    @Operation(summary = "Workloads in this namespace are canaries only by their own annotation again")
    public Uni<Response> uncanary(@PathParam("namespace") String namespace) {
        return CanaryNamespace.deleteById(namespace).map(x -> Response.noContent().build());
    }

    @DELETE
    @Path("/namespaces/{namespace}/approval-gate")
    @WithTransaction
    @Operation(summary = "Let rollouts in this namespace go ahead without approval")
    public Uni<Response> ungate(@PathParam("namespace") String namespace) {
        return ApprovalGate.deleteById(namespace).map(x -> Response.noContent().build());
    }

    @POST
    @Path("/targets")
    @Consumes(MediaType.APPLICATION_JSON)
    @WithTransaction
    @Operation(summary = "Register a workload container to follow an image, as the annotation would")
    public Uni<Response> register(TargetSpec spec) {
        if (spec == null || spec.namespace() == null || spec.name() == null) {
            throw new IllegalArgumentException("namespace, kind, name, container and from are required");
        }
        checkKind(spec.kind());
        ImageTrigger trigger = new ImageTrigger(spec.from(), spec.container(), spec.policy(), spec.bound());
        Target t = new Target();
        t.id = UUID.randomUUID();
        t.workload = new WorkloadRef(spec.namespace(), spec.kind(), spec.name());
        t.container = trigger.container();
        t.fromImage = trigger.from();
        t.policy = trigger.policy();
        t.bound = trigger.bound();
        t.createdAt = OffsetDateTime.now();
        return t.persist().map(x -> Response.status(Response.Status.CREATED).entity(spec).build());
    }

    @GET
    @Path("/targets")
    @WithSession
    @Operation(summary = "Targets registered over REST")
    public Uni<List<TargetSpec>> targets() {
        return Target.<Target>listAll().map(l -> l.stream()
                .map(t -> new TargetSpec(t.workload.namespace(), t.workload.kind(), t.workload.name(), t.container, t.fromImage, t.policy, t.bound)).toList());
    }

    private static void checkKind(String kind) {
        if (!Workloads.KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be Deployment, StatefulSet or DaemonSet, not " + kind);
        }
    }
}
