package dev.cascade.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small HTTP proxy in front of a real registry, as a registry with limits looks to a client: it forwards every request
 * to the registry and records it; it can answer the next requests with a status of its own first (a {@code 429} with
 * {@code Retry-After}, a {@code 503}), and can require basic credentials of its own (the registry behind it has none).
 */
public final class RegistryProxy implements AutoCloseable {

    /** One request as the proxy saw it, with the status it answered. */
    public record Request(Instant at, String method, String path, String authorization, int status) {
    }

    private record Canned(int status, String retryAfter) {
    }

    private static final Set<String> FORWARDED_HEADERS = Set.of("content-type", "docker-content-digest", "docker-distribution-api-version",
            "location", "www-authenticate", "etag");

    private final HttpServer server;
    private final URI upstream;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Canned> canned = new ArrayDeque<>();
    private volatile String basic;

    private RegistryProxy(HttpServer server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** A proxy on a free loopback port in front of the registry at {@code upstream} ({@code http://host:port}). */
    public static RegistryProxy start(URI upstream) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        RegistryProxy proxy = new RegistryProxy(server, upstream);
        server.createContext("/", proxy::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return proxy;
    }

    /** From now on, requests without these basic credentials are answered {@code 401} with a basic challenge. */
    public RegistryProxy requireBasic(String user, String password) {
        basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** The next {@code times} requests are answered {@code status}, with {@code Retry-After: retryAfter} unless null. */
    public synchronized void failNext(int times, int status, String retryAfter) {
        for (int i = 0; i < times; i++) {
            canned.add(new Canned(status, retryAfter));
        }
    }

    /** The registry name clients use for the proxy: {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests for the manifests of {@code repository} (any tag or digest), in order. */
    public List<Request> manifestRequests(String repository) {
        return requests.stream().filter(r -> r.path().startsWith("/v2/" + repository + "/manifests/")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Canned next = next();
            if (next != null) {
                if (next.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", next.retryAfter());
                }
                answer(exchange, method, path, authorization, next.status(), null);
                return;
            }
            if (basic != null && !basic.equals(authorization)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry-proxy\"");
                answer(exchange, method, path, authorization, 401, null);
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            if (accept != null) {
                forward.header("Accept", accept);
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, method, path, authorization, 502, null);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (FORWARDED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            answer(exchange, method, path, authorization, response.statusCode(), response.body());
        }
    }

    private synchronized Canned next() {
        return canned.poll();
    }

    private void answer(HttpExchange exchange, String method, String path, String authorization, int status, byte[] body) throws IOException {
        requests.add(new Request(Instant.now(), method, path, authorization, status));
        if (body == null || body.length == 0 || method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
