package dev.cascade.api.problem;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The error mapper every service shares: a {@link WebApplicationException} (an unknown id's 404, a resource's
 * 400, a 405 or 415 of the framework) answered as a {@link Problem} with its own status.
 */
public class HttpErrorMapper {

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        return Problems.response(e.getResponse().getStatus(), status.getReasonPhrase(), e.getMessage());
    }
}
