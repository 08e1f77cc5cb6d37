package dev.cascade.deploy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of deploy-service as a problem-details body. */
public class ProblemMapper {

    static Response problem(int status, String title, String detail) {
        return Response.status(status).type(MediaType.valueOf("application/problem+json"))
                .entity(Map.of("type", "about:blank", "title", title, "status", status, "detail", detail == null ? "" : detail)).build();
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return problem(400, "Bad Request", e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return problem(400, "Bad Request", "body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return problem(e.getResponse().getStatus(), e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage());
    }
}
