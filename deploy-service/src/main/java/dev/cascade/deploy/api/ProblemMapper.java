package dev.cascade.deploy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.api.problem.Problems;
import jakarta.ws.rs.core.Response;
import java.util.Objects;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * deploy-service's own failures as problem-details answers; {@link dev.cascade.api.problem.HttpErrorMapper}
 * answers the rest.
 */
public class ProblemMapper {

    /** A refused argument always has a {@code detail}, empty when the exception says nothing. */
    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Problems.response(400, "Bad Request", Objects.requireNonNullElse(e.getMessage(), ""));
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Problems.response(400, "Bad Request", "body is not valid JSON: " + e.getOriginalMessage());
    }
}
