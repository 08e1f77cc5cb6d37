package dev.cascade.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** A small client for the three services' REST APIs; every failure becomes a {@link Failure} with its exit code. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    /** One of the services, with its base URL. */
    record Service(String name, String url) {
    }

    /** One server-sent event. */
    record Event(String id, String name, String data) {

        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new Failure(Cascade.SERVICE_ERROR, "an event of the stream is not JSON: " + e.getOriginalMessage());
            }
        }
    }

    final Service trigger;
    final Service build;
    final Service deploy;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    Api(String triggerUrl, String buildUrl, String deployUrl, String token) {
        this.trigger = new Service("trigger-service", base(triggerUrl));
        this.build = new Service("build-service", base(buildUrl));
        this.deploy = new Service("deploy-service", base(deployUrl));
        this.token = token == null || token.isBlank() ? null : token.trim();
    }

    JsonNode get(Service service, String path) {
        return json(service, send(service, request(service, path).GET().timeout(Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofString()));
    }

    String text(Service service, String path) {
        return send(service, request(service, path).setHeader("Accept", "text/plain, */*").GET().timeout(Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofString()).body();
    }

    JsonNode post(Service service, String path, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return json(service, send(service, request(service, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofString()));
    }

    /** A response body as it arrives, for as long as the service sends it. */
    InputStream stream(Service service, String path) {
        return send(service, request(service, path).setHeader("Accept", "text/plain, */*").GET(),
                HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    /**
     * Reads the server-sent events of {@code path} and hands each to {@code handler} until it returns false
     * (then true is returned) or the service ends the stream (then false).
     */
    boolean events(Service service, String path, String lastEventId, Predicate<Event> handler) {
        return events(service, path, lastEventId, () -> { }, handler);
    }

    /** As {@link #events(Service, String, String, Predicate)}, calling {@code opened} once the stream has been answered. */
    boolean events(Service service, String path, String lastEventId, Runnable opened, Predicate<Event> handler) {
        HttpRequest.Builder request = request(service, path).setHeader("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        InputStream body = send(service, request, HttpResponse.BodyHandlers.ofInputStream()).body();
        opened.run();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    if (data != null && !handler.test(new Event(id, name == null ? "message" : name, data.toString()))) {
                        return true;
                    }
                    name = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue; // a comment: keeps the connection alive
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> name = value;
                    case "id" -> id = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> {
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw unreachable(service, e);
        }
    }

    /** Waits before asking again. */
    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Cascade.UNREACHABLE, "interrupted");
        }
    }

    /** A path segment, escaped. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code path} with the non-null parameters as its query. */
    static String query(String path, Map<String, ?> params) {
        StringBuilder q = new StringBuilder(path);
        char sep = path.contains("?") ? '&' : '?';
        for (Map.Entry<String, ?> p : params.entrySet()) {
            if (p.getValue() != null) {
                q.append(sep).append(p.getKey()).append('=').append(URLEncoder.encode(p.getValue().toString(), StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return q.toString();
    }

    /** A map keeping the order its pairs are given in (for {@link #query}); null values are allowed and left out. */
    static Map<String, Object> params(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private HttpRequest.Builder request(Service service, String path) {
        URI uri;
        try {
            uri = URI.create(service.url() + path);
        } catch (IllegalArgumentException e) {
            throw new Failure(Cascade.USAGE, "not a valid URL for " + service.name() + ": " + service.url());
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private <T> HttpResponse<T> send(Service service, HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        HttpRequest r = request.build();
        HttpResponse<T> response;
        try {
            response = http.send(r, body);
        } catch (IOException e) {
            throw unreachable(service, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Cascade.UNREACHABLE, "interrupted while waiting for " + service.name());
        } catch (IllegalArgumentException e) {
            throw new Failure(Cascade.USAGE, "not a valid URL for " + service.name() + ": " + service.url());
        }
        if (response.statusCode() >= 400) {
            throw failure(service, r, response);
        }
        return response;
    }

    private static Failure failure(Service service, HttpRequest request, HttpResponse<?> response) {
        String body;
        Object b = response.body();
        try {
            body = b instanceof InputStream ? new String(((InputStream) b).readAllBytes(), StandardCharsets.UTF_8) : String.valueOf(b);
        } catch (IOException e) {
            body = "";
        }
        String detail = problemDetail(body);
        int status = response.statusCode();
        if (status == 404) {
            return new Failure(Cascade.NOT_FOUND, detail != null ? detail : "not found: " + request.method() + " " + request.uri());
        }
        if (status == 401) {
            return new Failure(Cascade.NOT_AUTHORISED, service.name() + " did not accept the API token (401): set --token or CASCADE_TOKEN");
        }
        if (status == 403) {
            return new Failure(Cascade.NOT_AUTHORISED, service.name() + " refused " + request.method() + " " + request.uri().getPath()
                    + " (403): the API token's role may not do this (operator needed)");
        }
        return new Failure(Cascade.SERVICE_ERROR, service.name() + " answered " + status
                + (detail != null ? ": " + detail : " to " + request.method() + " " + request.uri()));
    }

    /** What a problem-details body says went wrong, with its field violations; null if the body says nothing usable. */
    private static String problemDetail(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode p = JSON.readTree(body);
            String detail = p.path("detail").asText(p.path("title").asText(null));
            if (detail == null) {
                return null;
            }
            StringBuilder s = new StringBuilder(detail);
            for (JsonNode v : p.path("violations")) {
                s.append("; ").append(v.path("field").asText()).append(": ").append(v.path("reason").asText());
            }
            return s.toString().replaceAll("\\s*\\R\\s*", " ");
        } catch (JsonProcessingException e) {
            String line = body.strip().lines().findFirst().orElse("");
            return line.length() > 200 ? line.substring(0, 200) + "…" : line;
        }
    }

    private static Failure unreachable(Service service, IOException e) {
        String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof java.net.ConnectException && (e.getMessage() == null || e.getMessage().isBlank())) {
            why = "connection refused";
        }
        return new Failure(Cascade.UNREACHABLE, "cannot reach " + service.name() + " at " + service.url() + ": " + why);
    }

    private static JsonNode json(Service service, HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Failure(Cascade.SERVICE_ERROR, service.name() + " answered something other than JSON: " + e.getOriginalMessage());
        }
    }

    private static String base(String url) {
        String u = url == null ? "" : url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
