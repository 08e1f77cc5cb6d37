package dev.cascade.build.api;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.graph.ConfigInput;
import dev.cascade.build.graph.KnownImage;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The whole dependency graph at once, for pictures of it: configs, the images they build on and build, and known digests. */
@Path("/api/graph")
@Produces(MediaType.APPLICATION_JSON)
public class GraphResource {

    /** An image a config builds on, with the digest its last successful build used (null before one). */
    public record Input(String image, String digest) {
    }

    /** A config: the image it builds and the images it builds on. */
    public record Config(String name, String output, boolean onBaseChange, List<Input> inputs) {
    }

    /** The graph, and the digest each known image tag points at. */
    public record Graph(List<Config> configs, Map<String, String> digests) {
    }

    @GET
    @WithSession
    @Operation(summary = "Every build config with its output image and the images it builds on, and the known digest of each image")
    public Uni<Graph> graph() {
        return BuildConfig.<BuildConfig>list("order by name").chain(configs -> ConfigInput.<ConfigInput>list("order by config, image")
                .chain(inputs -> KnownImage.<KnownImage>listAll().map(known -> {
                    Map<String, List<Input>> byConfig = new HashMap<>();
                    inputs.forEach(i -> byConfig.computeIfAbsent(i.config, k -> new ArrayList<>()).add(new Input(i.image, i.digest)));
                    Map<String, String> digests = new HashMap<>();
                    known.forEach(k -> digests.put(k.image, k.digest));
                    return new Graph(configs.stream()
                            .map(c -> new Config(c.name, c.outputImage, c.onBaseChange, byConfig.getOrDefault(c.name, List.of())))
                            .toList(), digests);
                })));
    }
}
