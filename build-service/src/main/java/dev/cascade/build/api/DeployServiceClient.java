package dev.cascade.build.api;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** deploy-service's read-only answer to: which workloads would roll out new digests of these image tags? */
@RegisterRestClient(configKey = "deploy-service")
@Path("/api/impact")
@ClientHeaderParam(name = "Authorization", value = "{bearer}", required = false)
public interface DeployServiceClient {

    /** A workload that follows one of the images asked about. */
    record Workload(String namespace, String kind, String name, String container, String image, String policy, boolean paused) {
    }

    @GET
    @Path("/workloads")
    Uni<List<Workload>> workloads(@QueryParam("image") List<String> images);

    /** deploy-service's API token ({@code cascade.deploy-service.token}; a viewer's is enough), or no header. */
    default String bearer() {
        return ConfigProvider.getConfig().getOptionalValue("cascade.deploy-service.token", String.class)
                .map(token -> "Bearer " + token).orElse(null);
    }
}
