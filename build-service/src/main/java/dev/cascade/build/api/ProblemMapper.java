package dev.cascade.build.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.build.config.ConfigConflictException;
import dev.cascade.build.config.InvalidConfigException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of build-service as a problem-details body. */
public class ProblemMapper {

    /** RFC 9457 problem details; {@code violations} lists field errors of an invalid config. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String type, String title, int status, String detail, List<InvalidConfigException.Violation> violations) {
    }

    static Response problem(int status, String title, String detail, List<InvalidConfigException.Violation> violations) {
        return Response.status(status).type(MediaType.valueOf("application/problem+json"))
                .entity(new Problem("about:blank", title, status, detail, violations)).build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidConfigException e) {
        return problem(422, "Invalid build config", e.getMessage(), e.violations());
    }

    @ServerExceptionMapper
    public Response conflict(ConfigConflictException e) {
        return problem(409, "Conflict", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return problem(400, "Bad Request", "body is not valid: " + e.getOriginalMessage(), null);
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return problem(400, "Bad Request", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return problem(e.getResponse().getStatus(), e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), null);
    }
}
