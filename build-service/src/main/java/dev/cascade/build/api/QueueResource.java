package dev.cascade.build.api;

import dev.cascade.build.queue.QueueStatus;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The build queue's budgets: what runs and waits in each class, the cascades' share and pace, and why the oldest build waits. */
@Path("/api/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    private final QueueStatus status;

    public QueueResource(QueueStatus status) {
        this.status = status;
    }

    @GET
    @Operation(summary = "Builds queued and running by class (interactive, cascade), the cascade share in use, each running cascade's "
            + "pace, and the oldest waiting build with why it waits")
    public Uni<QueueStatus.View> view() {
        return status.view();
    }
}
