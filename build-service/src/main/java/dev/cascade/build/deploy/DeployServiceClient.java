package dev.cascade.build.deploy;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * deploy-service's read-only API as build-service asks it: which workloads would roll out new digests of some image
 * tags ({@code /api/impact}), and which images the watched workloads follow ({@code /api/workloads}).
 */
@RegisterRestClient(configKey = "deploy-service")
@Path("/api")
@ClientHeaderParam(name = "Authorization", value = "{bearer}", required = false)
public interface DeployServiceClient {

    /**
     * A workload that follows one of the images asked about; {@code canary}: in a base-image cascade it rolls out first,
     * and the cascade's other rollouts wait for it to soak.
     */
    record Workload(String namespace, String kind, String name, String container, String image, String policy, boolean paused,
                    boolean canary) {
    }

    /** An image a workload follows: {@code from} ({@code registry/repository:tag}) and how ({@code digest}, {@code semver}, {@code glob}). */
    record Follow(String from, String container, String policy) {
    }

    /** A watched workload and the images it follows. */
    record WatchedWorkload(String namespace, String kind, String name, List<Follow> follows) {

        /** {@code namespace/kind/name}. */
        public String key() {
            return namespace + "/" + kind + "/" + name;
        }
    }

    @GET
    @Path("/impact/workloads")
    Uni<List<Workload>> workloads(@QueryParam("image") List<String> images);

    @GET
    @Path("/workloads")
    Uni<List<WatchedWorkload>> watchedWorkloads();

    /** deploy-service's API token ({@code cascade.deploy-service.token}; a viewer's is enough), or no header. */
    default String bearer() {
        return ConfigProvider.getConfig().getOptionalValue("cascade.deploy-service.token", String.class)
                .map(token -> "Bearer " + token).orElse(null);
    }
}
