package dev.cascade.build.api;

import dev.cascade.build.graph.KnownImage;
import dev.cascade.common.image.ImageRef;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What build-service knows about images. */
@Path("/api/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {

    /** REST view of a known image tag. */
    public record ImageView(String image, String digest, UUID pipelineId, OffsetDateTime updatedAt) {
        static ImageView of(KnownImage k) {
            return new ImageView(k.image, k.digest, k.pipelineId, k.updatedAt);
        }
    }

    /** Configs built on an image: directly (a FROM names it) and transitively (through other configs' outputs). */
    public record Dependents(String image, java.util.List<String> direct, java.util.List<String> transitive) {
    }

    private final dev.cascade.build.graph.DependencyGraph graph;

    public ImageResource(dev.cascade.build.graph.DependencyGraph graph) {
        this.graph = graph;
    }

    @GET
    @Path("/{ref: .+}/dependents")
    @WithSession
    @Operation(summary = "Build configs that depend on an image, directly and transitively")
    public Uni<Dependents> dependents(@PathParam("ref") String ref) {
        String image = canonical(ref);
        return graph.snapshot().map(s -> new Dependents(image, s.directDependents(image),
                s.transitiveDependents(image).stream().sorted().toList()));
    }

    private static String canonical(String ref) {
        try {
            return ImageRef.parse(ref).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    @GET
    @Path("/{ref: .+}")
    @WithSession
    @Operation(summary = "The digest an image tag points at, as last reported by a registry or a build")
    public Uni<ImageView> get(@PathParam("ref") String ref) {
        String image = canonical(ref);
        return KnownImage.<KnownImage>findById(image)
                .onItem().ifNull().failWith(() -> new NotFoundException("no push of " + image + " is known"))
                .map(ImageView::of);
    }
}
