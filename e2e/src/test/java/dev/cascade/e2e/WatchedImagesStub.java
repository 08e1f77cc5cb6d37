package dev.cascade.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * build-service's {@code GET /api/watched-images} as its documented contract describes it, answering a list of
 * watched tags whose times are relative to when the stub was made, with the {@code registry} and
 * {@code failing} filters and the bearer token check of the service. The clients of that API are tested
 * against it.
 */
final class WatchedImagesStub implements AutoCloseable {

    static final String TOKEN = "watched-stub-token";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The watched tags the stub answers, with times relative to {@code now}. */
    static ArrayNode watchedTags(Instant now) throws IOException {
        return (ArrayNode) JSON.readTree("""
                [
                  {
                    "image": "docker.io/library/debian:bookworm",
                    "registry": "docker.io",
                    "watchedFor": {"configs": ["app", "mid1"], "builders": ["s2i-app"], "workloads": ["team-a/Deployment/web"]},
                    "webhooks": false,
                    "interval": "PT10M",
                    "lastCheckedAt": "%1$s",
                    "lastDigest": "sha256:4f1c9a7d2e8b3c6a5f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a",
                    "lastChangedAt": "%1$s",
                    "nextCheckAt": "%2$s",
                    "lastError": null,
                    "registryState": {"budgetPerHour": 600, "remaining": 590, "backoffUntil": null, "lastError": null}
                  },
                  {
                    "image": "docker.io/library/python:3.12",
                    "registry": "docker.io",
                    "watchedFor": {"configs": ["api", "worker", "jobs"], "builders": [], "workloads": []},
                    "webhooks": false,
                    "interval": "PT10M",
                    "lastCheckedAt": null,
                    "lastDigest": null,
                    "lastChangedAt": null,
                    "nextCheckAt": "%3$s",
                    "lastError": null,
                    "registryState": {"budgetPerHour": 600, "remaining": 590, "backoffUntil": null, "lastError": null}
                  },
                  {
                    "image": "quay.io/team/builder:2",
                    "registry": "quay.io",
                    "watchedFor": {"configs": [], "builders": ["s2i-python"], "workloads": []},
                    "webhooks": true,
                    "interval": "PT6H",
                    "lastCheckedAt": "%1$s",
                    "lastDigest": "sha256:9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
                    "lastChangedAt": null,
                    "nextCheckAt": "%2$s",
                    "lastError": "toomanyrequests: rate limit exceeded\\nretry later",
                    "registryState": {"budgetPerHour": 300, "remaining": 0, "backoffUntil": "%4$s", "lastError": "HTTP 429 toomanyrequests"}
                  }
                ]
                """.formatted(now.minus(3, ChronoUnit.MINUTES), now.plus(7, ChronoUnit.MINUTES), now.minus(5, ChronoUnit.SECONDS),
                now.plus(20, ChronoUnit.MINUTES)));
    }

    private final HttpServer server;
    private volatile JsonNode tags;
    /** The query of every request for the watched images, in order. */
    final List<Map<String, String>> queries = new CopyOnWriteArrayList<>();

    WatchedImagesStub(JsonNode tags) throws IOException {
        this.tags = tags;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/watched-images", this::watchedImages);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Also serves {@code path} with {@code handler}. */
    void serve(String path, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** From now on answers {@code tags}; null stands for a build-service without a watcher, which answers 404. */
    void answer(JsonNode tags) {
        this.tags = tags;
    }

    private void watchedImages(HttpExchange exchange) throws IOException {
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401}");
            return;
        }
        JsonNode tags = this.tags;
        if (tags == null) {
            send(exchange, 404, "");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        queries.add(query);
        ArrayNode answer = JSON.createArrayNode();
        for (JsonNode tag : tags) {
            boolean registry = !query.containsKey("registry") || query.get("registry").equals(tag.path("registry").asText());
            boolean failing = !"true".equals(query.get("failing")) || tag.hasNonNull("lastError");
            if (registry && failing) {
                answer.add(tag);
            }
        }
        send(exchange, 200, JSON.writeValueAsString(answer));
    }

    static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status < 400 ? "application/json" : "application/problem+json");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
