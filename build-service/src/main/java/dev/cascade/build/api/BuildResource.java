package dev.cascade.build.api;

import dev.cascade.api.problem.Problems;
import dev.cascade.build.queue.Build;
import dev.cascade.build.queue.BuildQueue;
import dev.cascade.build.queue.LiveLogs;
import dev.cascade.common.events.BuildStatus;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Builds: their status, their logs (also followed live), and cancelling them. */
@Path("/api/builds")
@Produces(MediaType.APPLICATION_JSON)
public class BuildResource {

    private final BuildQueue queue;
    private final LiveLogs logs;

    public BuildResource(BuildQueue queue, LiveLogs logs) {
        this.queue = queue;
        this.logs = logs;
    }

    @GET
    @WithSession
    @Operation(summary = "Builds, newest first; filter by config, status and pipeline")
    public Uni<List<BuildView>> list(@QueryParam("config") String config, @QueryParam("status") String status,
                                     @QueryParam("pipeline") UUID pipeline, @QueryParam("limit") @DefaultValue("100") int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (config != null) {
            q.append(" and config = :config");
            p.and("config", config);
        }
        if (status != null) {
            try {
                p.and("status", BuildStatus.valueOf(status.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status must be one of queued, started, succeeded, failed, cancelled, skipped");
            }
            q.append(" and status = :status");
        }
        if (pipeline != null) {
            q.append(" and pipelineId = :pipeline");
            p.and("pipeline", pipeline);
        }
        return Build.<Build>find(q.toString(), Sort.descending("createdAt"), p).page(0, Math.max(1, Math.min(limit, 1000))).list()
                .map(l -> l.stream().map(BuildView::of).toList());
    }

    @GET
    @Path("/{id}")
    @WithSession
    @Operation(summary = "One build")
    public Uni<BuildView> get(@PathParam("id") UUID id) {
        return find(id).map(BuildView::of);
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a queued build, or stop a running one",
            description = "Any instance may be asked: a running build is stopped by the instance that runs it, within a second.")
    public Uni<Response> cancel(@PathParam("id") UUID id) {
        return queue.cancel(id).map(done -> done ? Response.accepted().build()
                : Problems.response(409, "Conflict", "build " + id + " has ended already or does not exist"));
    }

    @GET
    @Path("/{id}/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The build's output; with follow=true it streams until the build ends")
    public Multi<String> log(@PathParam("id") UUID id, @QueryParam("follow") @DefaultValue("false") boolean follow) {
        Uni<Build> current = Panache.withSession(() -> find(id));
        if (!follow) {
            return current.map(b -> b.status.isFinal() ? nullToEmpty(b.log) : logs.read(id).orElse("")).toMulti();
        }
        AtomicInteger sent = new AtomicInteger();
        // ticks come from a timer thread; the database is only used on this request's Vert.x context
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        return Multi.createFrom().ticks().every(Duration.ofMillis(250))
                .emitOn(command -> ctx.runOnContext(v -> command.run()))
                .onItem().transformToUniAndConcatenate(tick -> Panache.withSession(() -> find(id)))
                .onItem().transformToMultiAndConcatenate(b -> {
                    String text = b.status.isFinal() ? nullToEmpty(b.log) : logs.read(id).orElse("");
                    String fresh = text.length() > sent.get() ? text.substring(sent.get()) : "";
                    sent.set(Math.max(sent.get(), text.length()));
                    Multi<String> chunk = fresh.isEmpty() ? Multi.createFrom().empty() : Multi.createFrom().item(fresh);
                    return b.status.isFinal() ? Multi.createBy().concatenating().streams(chunk, Multi.createFrom().item(END)) : chunk;
                })
                .select().first(s -> s != END);
    }

    private static final String END = new String("\u0000end");

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static Uni<Build> find(UUID id) {
        return Build.<Build>findById(id).onItem().ifNull().failWith(() -> new NotFoundException("no build " + id));
    }
}
