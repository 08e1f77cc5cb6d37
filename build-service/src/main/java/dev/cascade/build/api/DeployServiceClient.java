package dev.cascade.build.api;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** deploy-service's read-only answer to: which workloads would roll out new digests of these image tags? */
@RegisterRestClient(configKey = "deploy-service")
@Path("/api/impact")
public interface DeployServiceClient {

    /** A workload that follows one of the images asked about. */
    record Workload(String namespace, String kind, String name, String container, String image, String policy, boolean paused) {
    }

    @GET
    @Path("/workloads")
    Uni<List<Workload>> workloads(@QueryParam("image") List<String> images);
}
