package dev.cascade.build.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cascade.api.problem.Problems;
import dev.cascade.build.config.ConfigConflictException;
import dev.cascade.build.config.InvalidConfigException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * build-service's own failures as problem-details answers; {@link dev.cascade.api.problem.HttpErrorMapper}
 * answers the rest.
 */
public class ProblemMapper {

    /**
     * The body of a cancel that finds nothing to cancel, as {@link BuildResource} builds it; the same shape
     * {@link Problems} gives, which it should use instead.
     */
    @Deprecated(forRemoval = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String type, String title, int status, String detail, List<InvalidConfigException.Violation> violations) {
    }

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
