package dev.cascade.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemsTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Violation(String field, String reason) {
    }

    @Test
    void aProblemIsAnsweredAsProblemJsonWithTheStatusItNames() throws Exception {
        Response response = Problems.response(Response.Status.CONFLICT, "two secrets already");

        assertThat(response.getStatus()).isEqualTo(409);
        assertThat(response.getMediaType().toString()).isEqualTo("application/problem+json");
        assertThat(JSON.writeValueAsString(response.getEntity()))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"two secrets already\"}");
    }

    @Test
    void aProblemWithoutDetailLeavesItOut() throws Exception {
        Response response = Problems.response(404, "Not Found", null);

        assertThat(JSON.writeValueAsString(response.getEntity()))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}");
    }

    @Test
    void extensionMembersFollowTheStandardOnesAndThoseWithoutValueAreLeftOut() throws Exception {
        Map<String, Object> extensions = new HashMap<>();
        extensions.put("violations", List.of(new Violation("name", "is required")));
        extensions.put("hint", null);

        Response response = Problems.response(422, "Invalid build config", "name: is required", extensions);

        assertThat(JSON.writeValueAsString(response.getEntity())).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Invalid build config\","
                + "\"status\":422,\"detail\":\"name: is required\",\"violations\":[{\"field\":\"name\",\"reason\":\"is required\"}]}");
    }
}
