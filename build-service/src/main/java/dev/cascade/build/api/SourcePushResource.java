package dev.cascade.build.api;

import dev.cascade.build.events.SourcePush;
import dev.cascade.common.git.GitRepository;
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

/** The source pushes build-service has received. */
@Path("/api/source-pushes")
@Produces(MediaType.APPLICATION_JSON)
public class SourcePushResource {

    /** REST view of a received push. */
    public record PushView(UUID eventId, UUID pipelineId, String repository, String refType, String ref, String after,
                           OffsetDateTime receivedAt) {
        static PushView of(SourcePush p) {
            return new PushView(p.eventId, p.pipelineId, p.repository, p.refType, p.ref, p.afterCommit, p.receivedAt);
        }
    }

    @GET
    @WithSession
    @Operation(summary = "The latest source pushes received, newest first, optionally for one repository (any URL form)")
    public Uni<List<PushView>> list(@QueryParam("repository") String repository) {
        Sort newestFirst = Sort.descending("receivedAt");
        var query = repository == null
                ? SourcePush.<SourcePush>findAll(newestFirst)
                : SourcePush.<SourcePush>find("repository", newestFirst, canonical(repository));
        return query.page(0, 100).list().map(l -> l.stream().map(PushView::of).toList());
    }

    private static String canonical(String repository) {
        try {
            return GitRepository.parse(repository).canonicalUrl();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
    }
}
