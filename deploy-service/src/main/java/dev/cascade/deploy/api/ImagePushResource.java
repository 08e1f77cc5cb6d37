package dev.cascade.deploy.api;

import dev.cascade.common.image.ImageRef;
import dev.cascade.deploy.events.ImagePush;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The image pushes deploy-service has received. */
@Path("/api/image-pushes")
@Produces(MediaType.APPLICATION_JSON)
public class ImagePushResource {

    /** REST view of a received image push. */
    public record ImagePushView(UUID eventId, UUID pipelineId, String image, String digest, OffsetDateTime receivedAt) {
        static ImagePushView of(ImagePush p) {
            return new ImagePushView(p.eventId, p.pipelineId, p.image, p.digest, p.receivedAt);
        }
    }

    @GET
    @WithSession
    @Operation(summary = "The latest image pushes received, newest first, optionally for one image tag")
    public Uni<List<ImagePushView>> list(@QueryParam("image") String image) {
        Sort newestFirst = Sort.descending("receivedAt");
        var query = image == null
                ? ImagePush.<ImagePush>findAll(newestFirst)
                : ImagePush.<ImagePush>find("image", newestFirst, canonical(image));
        return query.page(0, 100).list().map(l -> l.stream().map(ImagePushView::of).toList());
    }

    private static String canonical(String image) {
        try {
            return ImageRef.parse(image).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}
