package dev.cascade.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sits between the registry and trigger-service: forwards every notification unchanged and keeps a copy,
 * so a test can deliver exactly what the registry sent once more, as a sender retrying would.
 */
public final class WebhookRecorder implements AutoCloseable {

    /** One delivery as the sender made it, and the answer it got. */
    public record Delivery(Map<String, String> headers, byte[] body, int status) {
    }

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<URI> targets = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    public final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    private WebhookRecorder(HttpServer server, URI target) {
        this.server = server;
        this.targets.add(target);
    }

    public static WebhookRecorder start(int port, String target) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        WebhookRecorder recorder = new WebhookRecorder(server, URI.create(target));
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = Map.of(
                    "Content-Type", exchange.getRequestHeaders().getFirst("Content-Type"),
                    "Authorization", exchange.getRequestHeaders().getFirst("Authorization"));
            int status;
            try {
                status = recorder.forward(headers, body).statusCode();
            } catch (IOException | InterruptedException e) {
                status = 502;
            }
            recorder.deliveries.add(new Delivery(headers, body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return recorder;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /**
     * Spreads deliveries over one more trigger-service instance, in turn, as a load balancer in front of its
     * replicas would.
     */
    public void addTarget(String target) {
        targets.add(URI.create(target));
    }

    /** Sends a recorded delivery to trigger-service again, byte for byte. */
    public HttpResponse<String> forward(Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        URI target = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
        HttpRequest.Builder request = HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
