package dev.cascade.trigger.pipeline;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** Reads pipeline trees through the REST API, as a client would, and finds nodes in them. */
final class PipelineTrees {

    private PipelineTrees() {
    }

    /** The pipeline's tree once it exists and satisfies {@code condition}, waiting for the view to catch up. */
    static JsonPath awaitTree(UUID pipelineId, Predicate<JsonPath> condition) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            var response = given().get("/api/pipelines/" + pipelineId);
            if (response.statusCode() != 200) {
                return false;
            }
            JsonPath tree = response.jsonPath();
            last.set(tree);
            return condition.test(tree);
        });
        return last.get();
    }

    static Map<String, Object> root(JsonPath tree) {
        return tree.getMap("root");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> children(Map<String, Object> node) {
        return node == null ? List.of() : (List<Map<String, Object>>) node.getOrDefault("children", List.of());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> fields(Map<String, Object> node) {
        return (Map<String, Object>) node.get("fields");
    }

    /** The node with this id anywhere in the tree, or null. */
    static Map<String, Object> find(JsonPath tree, String id) {
        return find(root(tree), id);
    }

    private static Map<String, Object> find(Map<String, Object> node, String id) {
        if (node == null) {
            return null;
        }
        if (Objects.equals(node.get("id"), id)) {
            return node;
        }
        for (Map<String, Object> child : children(node)) {
            Map<String, Object> found = find(child, id);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The first child of the node with this id that is of the given kind, or null. */
    static Map<String, Object> childOfKind(JsonPath tree, String parentId, String kind) {
        return children(find(tree, parentId)).stream().filter(c -> kind.equals(c.get("kind"))).findFirst().orElse(null);
    }

    static Instant instant(Object text) {
        return text == null ? null : OffsetDateTime.parse(text.toString()).toInstant();
    }

    static String digest() {
        return "sha256:" + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
    }

    static String commit() {
        return UUID.randomUUID().toString().replace("-", "") + "0123abcd";
    }
}
