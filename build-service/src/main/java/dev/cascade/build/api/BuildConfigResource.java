package dev.cascade.build.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.InvalidConfigException;
import dev.cascade.build.graph.ConfigSaver;
import dev.cascade.build.queue.Build;
import dev.cascade.build.queue.BuildDispatcher;
import dev.cascade.build.queue.BuildQueue;
import dev.cascade.build.source.BaseImageReader;
import dev.cascade.build.watch.WatchList;
import dev.cascade.messaging.Causation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Build configurations: CRUD in JSON, and bulk apply of a YAML file kept in git. */
@Path("/api/build-configs")
@Produces(MediaType.APPLICATION_JSON)
public class BuildConfigResource {

    /** A manual build request: a branch or an exact commit; both optional. */
    public record BuildRequest(String ref, String commit) {
    }

    /** What a bulk apply did. */
    public record ApplyResult(List<String> created, List<String> updated) {
    }

    private final BuildConfigs configs;
    private final BaseImageReader bases;
    private final ConfigSaver saver;
    private final BuildQueue buildQueue;
    private final BuildDispatcher dispatcher;
    private final ObjectMapper json;
    private final WatchList watched;
    private final YAMLMapper yaml = new YAMLMapper();

    public BuildConfigResource(BuildConfigs configs, BaseImageReader bases, ConfigSaver saver, BuildQueue buildQueue,
                               BuildDispatcher dispatcher, ObjectMapper json, WatchList watched) {
        this.configs = configs;
        this.bases = bases;
        this.saver = saver;
        this.buildQueue = buildQueue;
        this.dispatcher = dispatcher;
        this.json = json;
        this.watched = watched;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a build config (422 names each invalid field; a cycle is refused, naming it)")
    public Uni<Response> create(BuildConfigSpec body) {
        BuildConfigSpec spec = configs.normalise(body);
        return bases.inputsOf(spec)
                .chain(inputs -> Panache.withTransaction(() -> saver.save(spec, inputs, true)))
                .invoke(watched::refreshSoon)
                .map(c -> Response.status(Response.Status.CREATED).entity(configs.read(c)).build());
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a build config")
    public Uni<BuildConfigSpec> replace(@PathParam("name") String name, BuildConfigSpec body) {
        BuildConfigSpec spec = configs.normalise(body);
        if (!name.equals(spec.name())) {
            throw new InvalidConfigException("name", "must match the URL: " + name);
        }
        return bases.inputsOf(spec)
                .chain(inputs -> Panache.withTransaction(() -> saver.save(spec, inputs, false)))
                .invoke(watched::refreshSoon)
                .map(configs::read);
    }

    @PUT
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(summary = "Apply build configs from YAML (a list, or several documents): each is created or replaced, all or none")
    public Uni<ApplyResult> apply(String body) {
        List<BuildConfigSpec> specs = new ArrayList<>();
        try {
            for (JsonNode doc : yaml.readValues(yaml.getFactory().createParser(body), JsonNode.class).readAll()) {
                if (doc == null || doc.isNull()) {
                    continue;
                }
                if (doc.isArray()) {
                    for (JsonNode item : doc) {
                        specs.add(json.treeToValue(item, BuildConfigSpec.class));
                    }
                } else {
                    specs.add(json.treeToValue(doc, BuildConfigSpec.class));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not valid YAML of build configs: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<BuildConfigSpec> normalised = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            try {
                normalised.add(configs.normalise(specs.get(i)));
            } catch (InvalidConfigException e) {
                List<InvalidConfigException.Violation> prefixed = new ArrayList<>();
                for (InvalidConfigException.Violation v : e.violations()) {
                    prefixed.add(new InvalidConfigException.Violation("[" + i + "]." + v.field(), v.reason()));
                }
                throw new InvalidConfigException(prefixed);
            }
        }
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        return Multi.createFrom().iterable(normalised)
                .onItem().transformToUniAndConcatenate(s -> bases.inputsOf(s).map(in -> java.util.Map.entry(s, in)))
                .collect().asList()
                .chain(pairs -> Panache.withTransaction(() -> Multi.createFrom().iterable(pairs)
                        .onItem().transformToUniAndConcatenate(p -> BuildConfig.<BuildConfig>findById(p.getKey().name())
                                .invoke(existing -> (existing == null ? created : updated).add(p.getKey().name()))
                                .chain(existing -> saver.save(p.getKey(), p.getValue(), false)))
                        .collect().asList()))
                .invoke(watched::refreshSoon)
                .map(x -> new ApplyResult(created, updated));
    }

    @GET
    @WithSession
    @Operation(summary = "All build configs")
    public Uni<List<BuildConfigSpec>> list() {
        return BuildConfig.<BuildConfig>listAll(io.quarkus.panache.common.Sort.by("name"))
                .map(l -> l.stream().map(configs::read).toList());
    }

    @GET
    @Path("/{name}")
    @WithSession
    @Operation(summary = "One build config")
    public Uni<BuildConfigSpec> get(@PathParam("name") String name) {
        return find(name).map(configs::read);
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a build config (its builds' history stays)")
    public Uni<Response> delete(@PathParam("name") String name) {
        return Panache.withTransaction(() -> find(name).call(BuildConfig::delete))
                .invoke(watched::refreshSoon)
                .map(x -> Response.noContent().build());
    }

    @POST
    @Path("/{name}/builds")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Build now, from the config's branch or the given ref or commit; starts a pipeline of its own")
    public Uni<Response> build(@PathParam("name") String name, BuildRequest request) {
        String revision = request == null ? null : request.commit() != null ? request.commit() : request.ref();
        if (revision != null && !revision.matches("[0-9a-f]{40}|[A-Za-z0-9._/-]{1,200}")) {
            throw new IllegalArgumentException("ref or commit is not valid: " + revision);
        }
        UUID root = UUID.randomUUID();
        return Panache.withTransaction(() -> find(name).chain(c -> buildQueue.queue(c, revision != null ? revision : c.branch,
                        "requested by hand", Causation.root(root))))
                .invoke(b -> dispatcher.dispatchSoon())
                .map(b -> Response.accepted(BuildView.of(b)).build());
    }

    private static Uni<BuildConfig> find(String name) {
        return BuildConfig.<BuildConfig>findById(name).onItem().ifNull().failWith(() -> new NotFoundException("no build config " + name));
    }

}
