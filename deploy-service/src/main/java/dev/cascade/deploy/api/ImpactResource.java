package dev.cascade.deploy.api;

import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.deploy.rollout.CanaryGates;
import dev.cascade.deploy.rollout.Followers;
import dev.cascade.deploy.rollout.WorkloadPause;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Dry run for build-service's {@code /api/impact}: which workloads would roll out new digests of some image tags. */
@Path("/api/impact")
@Produces(MediaType.APPLICATION_JSON)
public class ImpactResource {

    /**
     * A workload container that follows one of the images asked about.
     *
     * @param image  the image tag it follows
     * @param paused whether automatic rollouts of the workload are paused (it would not roll out now)
     * @param canary whether the workload is a canary: in a base-image cascade it rolls out first, and the rest wait for it
     */
    public record Workload(String namespace, String kind, String name, String container, String image, String policy, boolean paused,
                           boolean canary) {
    }

    private final Followers followers;
    private final RegistryAliases aliases;
    private final CanaryGates gates;

    public ImpactResource(Followers followers, RegistryAliases aliases, CanaryGates gates) {
        this.followers = followers;
        this.aliases = aliases;
        this.gates = gates;
    }

    @GET
    @Path("/workloads")
    @WithSession
    @Operation(summary = "The watched workloads that follow pushes of these image tags; nothing is changed")
    public Uni<List<Workload>> workloads(@QueryParam("image") List<String> images) {
        List<ImageRef> refs = new ArrayList<>();
        for (String image : images) {
            try {
                refs.add(ImageRef.parse(image, aliases).withoutDigest());
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("invalid image reference " + image + ": " + e.getMessage());
            }
        }
        return Multi.createFrom().iterable(refs)
                .onItem().transformToUniAndConcatenate(ref -> followers.of(ref).chain(found -> Multi.createFrom().iterable(found)
                        .onItem().transformToUniAndConcatenate(c -> WorkloadPause.findById(c.workload().ref())
                                .chain(pause -> gates.isCanary(c.workload())
                                        .map(canary -> new Workload(c.workload().ref().namespace(), c.workload().ref().kind(),
                                                c.workload().ref().name(), c.trigger().container(), ref.toString(), c.trigger().policy(),
                                                pause != null, canary))))
                        .collect().asList()))
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }
}
