package dev.cascade.build.api;

import dev.cascade.build.watch.WatchedImages;
import dev.cascade.build.watch.WatchedImages.WatchedImage;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The image tags build-service watches for new digests (upstream bases, S2I builders, images workloads follow). */
@Path("/api/watched-images")
@Produces(MediaType.APPLICATION_JSON)
public class WatchedImageResource {

    private final WatchedImages watched;

    public WatchedImageResource(WatchedImages watched) {
        this.watched = watched;
    }

    @GET
    @Operation(summary = "Every watched image tag, sorted by image: why it is watched, its interval, its last check and digest, "
            + "and its registry's budget and backoff")
    public Uni<List<WatchedImage>> list(@QueryParam("registry") String registry, @QueryParam("failing") boolean failing) {
        return watched.list(registry, failing);
    }
}
