package dev.cascade.trigger.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Where the dashboard (served from {@code /}) finds the other two services' APIs, as the browser reaches them. */
@Path("/api/dashboard")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {

    /** Base URLs of build-service and deploy-service. */
    public record Endpoints(String buildUrl, String deployUrl) {
    }

    private final Endpoints endpoints;

    public DashboardResource(DashboardConfig config) {
        this.endpoints = new Endpoints(config.buildUrl(), config.deployUrl());
    }

    @GET
    @Operation(summary = "The base URLs of build-service and deploy-service the dashboard calls")
    public Endpoints endpoints() {
        return endpoints;
    }
}
