package dev.cascade.trigger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.git.GitRepository;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.trigger.pipeline.Pipeline;
import dev.cascade.trigger.pipeline.PipelineNode;
import dev.cascade.trigger.pipeline.PipelineNotifications;
import dev.cascade.trigger.pipeline.Pipelines;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The pipelines: each one causal tree from the trigger that started it to its last rollout, also as a live stream. */
@Path("/api/pipelines")
@Produces(MediaType.APPLICATION_JSON)
public class PipelineResource {

    static final int MAX_LIMIT = 500;
    private static final Set<String> STATUSES = Set.of(Pipeline.RUNNING, Pipeline.HELD, Pipeline.SUCCEEDED, Pipeline.FAILED);

    private final Pipelines pipelines;
    private final PipelineNotifications notifications;
    private final RegistryAliases aliases;
    private final ObjectMapper json;

    public PipelineResource(Pipelines pipelines, PipelineNotifications notifications, RegistryAliases aliases, ObjectMapper json) {
        this.pipelines = pipelines;
        this.notifications = notifications;
        this.aliases = aliases;
        this.json = json;
    }

    @GET
    @Operation(summary = "Pipelines, newest first; filter by git repository, image (of any node, by tag or digest), "
            + "status (running, held, succeeded, failed) and creation time (since inclusive, until exclusive, ISO-8601)")
    public Uni<List<PipelineSummary>> list(@QueryParam("repository") String repository, @QueryParam("image") String image,
                                           @QueryParam("status") String status, @QueryParam("since") String since,
                                           @QueryParam("until") String until,
                                           @QueryParam("limit") @DefaultValue("50") int limit) {
        String canonicalRepository = null;
        if (repository != null) {
            try {
                canonicalRepository = GitRepository.parse(repository).canonicalUrl();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("repository: " + e.getMessage());
            }
        }
        ImageRef ref = null;
        if (image != null) {
            try {
                ref = ImageRef.parse(image, aliases);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image: " + e.getMessage());
            }
        }
        String wanted = status == null ? null : status.toLowerCase(Locale.ROOT);
        if (wanted != null && !STATUSES.contains(wanted)) {
            throw new IllegalArgumentException("status must be running, held, succeeded or failed, not '" + status + "'");
        }
        Pipelines.Filter filter = new Pipelines.Filter(canonicalRepository,
                ref == null || ref.tag() == null ? null : ref.taggedName(),
                ref == null ? null : ref.name(),
                ref == null ? null : ref.digest(),
                wanted, time("since", since), time("until", until), Math.max(1, Math.min(limit, MAX_LIMIT)));
        return pipelines.list(filter)
                .map(list -> list.stream().map(l -> PipelineSummary.of(l.pipeline(), l.counts())).toList());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One pipeline as a tree: the root trigger, the builds it caused, their images and those images' rollouts")
    public Uni<PipelineDetail> get(@PathParam("id") UUID id) {
        return pipelines.snapshot(id)
                .onItem().ifNull().failWith(() -> new NotFoundException("no pipeline " + id))
                .map(PipelineDetail::of);
    }

    /**
     * Every pipeline as it changes, for live lists: a {@code pipeline} event (the same summary as the list's
     * items) each time a pipeline is created or changes, on any replica.
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live changes of all pipelines as server-sent events named 'pipeline', each the pipeline's summary")
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        Multi<UUID> changed = Multi.createFrom().emitter(emitter -> {
            Runnable stop = notifications.listenToAll(id -> {
                if (id != null) {
                    emitter.emit(id);
                }
            });
            emitter.onTermination(stop);
        }, BackPressureStrategy.BUFFER);
        return changed.onItem().transformToUniAndConcatenate(pipelines::snapshotFromAnyThread)
                .filter(java.util.Objects::nonNull)
                .map(snapshot -> sse.newEventBuilder().name("pipeline").id(snapshot.pipeline().id + ":" + snapshot.pipeline().revision)
                        .data(String.class, write(PipelineSummary.of(snapshot))).build());
    }

    /**
     * The pipeline's nodes, then every change as it happens. Each SSE event's id is the revision of the change;
     * a client that reconnects with {@code Last-Event-ID} gets what changed after it. A pipeline whose first
     * event has not arrived yet streams nothing until it does, so a client may connect right after a webhook.
     */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live changes of one pipeline as server-sent events: 'node' (a node as it is now) and 'pipeline' "
            + "(status or trigger changed); resumable with Last-Event-ID")
    public Multi<OutboundSseEvent> events(@PathParam("id") UUID id, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        AtomicLong sent = new AtomicLong(revision(lastEventId));
        // a change only says "look again"; ticks that pile up while a look is under way collapse into one
        Multi<Boolean> changes = Multi.createFrom().emitter(emitter -> {
            Runnable stop = notifications.listen(id, () -> emitter.emit(Boolean.TRUE));
            emitter.onTermination(stop);
            emitter.emit(Boolean.TRUE); // what is there already
        }, BackPressureStrategy.LATEST);
        return changes.onItem().transformToMultiAndConcatenate(change -> pipelines.snapshotFromAnyThread(id)
                .onItem().transformToMulti(snapshot -> Multi.createFrom().iterable(
                        snapshot == null ? List.of() : eventsAfter(snapshot, sent, sse))));
    }

    /** The changes of the snapshot after the revision already sent, in revision order. */
    private List<OutboundSseEvent> eventsAfter(Pipelines.Snapshot snapshot, AtomicLong sent, Sse sse) {
        long after = sent.get();
        PipelineTree tree = new PipelineTree(snapshot);
        record Change(long revision, String name, Object data) {
        }
        List<Change> changes = new ArrayList<>();
        for (PipelineNode n : snapshot.nodes()) {
            if (n.revision > after) {
                changes.add(new Change(n.revision, "node", tree.node(n)));
            }
        }
        if (snapshot.pipeline().statusRevision > after) {
            changes.add(new Change(snapshot.pipeline().statusRevision, "pipeline", PipelineSummary.of(snapshot)));
        }
        changes.sort(Comparator.comparingLong(Change::revision));
        if (!changes.isEmpty()) {
            sent.set(changes.get(changes.size() - 1).revision());
        }
        return changes.stream()
                .map(c -> sse.newEventBuilder().id(Long.toString(c.revision())).name(c.name()).data(String.class, write(c.data())).build())
                .toList();
    }

    private String write(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long revision(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.trim()));
        } catch (NumberFormatException e) {
            return 0; // not one of ours: start from the beginning
        }
    }

    private static OffsetDateTime time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": not an ISO-8601 date-time with offset, e.g. 2026-01-02T03:04:05Z: " + value);
        }
    }
}
