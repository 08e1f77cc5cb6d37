package dev.cascade.build.api;

import dev.cascade.build.image.ReportRefusals;
import dev.cascade.build.image.ReportRefusals.Refusal;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What became of registries' reports of pushes that their registry did not confirm. */
@Path("/api/image-reports")
@Produces(MediaType.APPLICATION_JSON)
public class ImageReportResource {

    private final ReportRefusals refusals;

    public ImageReportResource(ReportRefusals refusals) {
        this.refusals = refusals;
    }

    @GET
    @Path("/refused")
    @WithSession
    @Operation(summary = "Registry reports refused because the registry does not serve the reported digest, newest first, with the reason")
    public Uni<List<Refusal>> refused(@QueryParam("limit") @DefaultValue("100") int limit) {
        return refusals.newest(Math.max(1, Math.min(limit, 1000)));
    }
}
