package dev.cascade.build.api;

import dev.cascade.build.cascade.CascadePlan;
import dev.cascade.build.cascade.Cascades;
import dev.cascade.build.deploy.DeployServiceClient;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
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
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The blast radius of a new base image digest, computed as a cascade would, without doing anything. */
@Path("/api/impact")
@Produces(MediaType.APPLICATION_JSON)
public class ImpactResource {

    /** One config a cascade would rebuild, with the affected configs it would wait for. */
    public record AffectedConfig(String config, String image, List<String> after) {
    }

    /** Configs that would build together: each wave starts when the waves before it have succeeded. */
    public record Wave(int wave, List<AffectedConfig> configs) {
    }

    /**
     * What a new digest of {@code image} would do.
     *
     * @param builds              how many builds the cascade would run
     * @param waves               the configs in build order
     * @param rollouts            the workloads that would roll out the base image or a rebuilt image
     * @param rolloutsUnavailable why the workloads could not be listed (deploy-service unreachable); null otherwise
     */
    public record Impact(String image, int builds, List<Wave> waves, List<DeployServiceClient.Workload> rollouts,
                         String rolloutsUnavailable) {
    }

    private final Cascades cascades;
    private final DeployServiceClient deploy;
    private final RegistryAliases aliases;

    public ImpactResource(Cascades cascades, @RestClient DeployServiceClient deploy,
                          RegistryAliases aliases) {
        this.cascades = cascades;
        this.deploy = deploy;
        this.aliases = aliases;
    }

    @GET
    @WithSession
    @Operation(summary = "Dry run: the configs a new digest of an image would rebuild, in waves, and the workloads that would roll out")
    public Uni<Impact> impact(@QueryParam("image") String image) {
        if (image == null || image.isBlank()) {
            throw new BadRequestException("the query parameter image (registry/repository:tag) is required");
        }
        String canonical;
        try {
            canonical = ImageRef.parse(image, aliases).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("invalid image reference: " + e.getMessage());
        }
        return cascades.planForImage(canonical, null).chain(plan -> {
            List<Wave> waves = new ArrayList<>();
            List<List<CascadePlan.Step>> byWave = plan.waves();
            for (int i = 0; i < byWave.size(); i++) {
                waves.add(new Wave(i + 1, byWave.get(i).stream()
                        .map(s -> new AffectedConfig(s.config(), s.outputImage(), s.after())).toList()));
            }
            List<String> images = new ArrayList<>();
            images.add(canonical);
            plan.steps().forEach(s -> images.add(s.outputImage()));
            return deploy.workloads(images)
                    .map(workloads -> new Impact(canonical, plan.steps().size(), waves, workloads, null))
                    .onFailure().recoverWithItem(failure -> {
                        Log.warnf("impact of %s: deploy-service could not be asked about workloads: %s", canonical, failure.toString());
                        return new Impact(canonical, plan.steps().size(), waves, List.of(),
                                "deploy-service could not be asked: " + failure.getMessage());
                    });
        });
    }
}
