package dev.cascade.build.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.api.problem.Problems;
import dev.cascade.build.config.ConfigConflictException;
import dev.cascade.build.config.InvalidConfigException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * build-service's own failures as problem-details answers; {@link dev.cascade.api.problem.HttpErrorMapper}
 * answers the rest.
 */
public class ProblemMapper {

    /** An invalid config's problem lists its field errors in {@code violations}. */
    @ServerExceptionMapper
    public Response invalid(InvalidConfigException e) {
        return Problems.response(422, "Invalid build config", e.getMessage(), Map.of("violations", e.violations()));
    }

    @ServerExceptionMapper
    public Response conflict(ConfigConflictException e) {
        return Problems.response(409, "Conflict", e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return Problems.response(400, "Bad Request", "body is not valid: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return Problems.response(400, "Bad Request", e.getMessage());
    }
}
