package dev.cascade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.ServiceProcess;
import dev.cascade.testsupport.TestTokens;
import dev.cascade.testsupport.WebhookRecorder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the benchmarks share: HTTP and JSON, registry notifications, and looking at service processes. */
public final class Harness {

    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Harness() {
    }

    public static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(authenticated(HttpRequest.newBuilder(URI.create(url))).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return Results.JSON.readTree(r.body());
    }

    public static HttpResponse<String> post(String url, String contentType, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = authenticated(HttpRequest.newBuilder(URI.create(url))).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Calls to a service's REST API carry the operator's token the system was started with; webhooks carry none. */
    private static HttpRequest.Builder authenticated(HttpRequest.Builder request) {
        if (request.build().uri().getPath().startsWith("/api")) {
            request.header("Authorization", "Bearer " + TestTokens.OPERATOR);
        }
        return request;
    }

    /** Polls until {@code check} holds, or fails after {@code timeout}. */
    public static <T> T await(Duration timeout, Duration every, Check<T> supplier, Predicate<T> check) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = supplier.get();
            if (value != null && check.test(value)) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("not reached within " + timeout + "; last: " + value);
            }
            Thread.sleep(every.toMillis());
        }
    }

    /** A supplier that may throw. */
    public interface Check<T> {
        T get() throws Exception;
    }

    public static String randomDigest() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "sha256:" + HexFormat.of().formatHex(b);
    }

    /**
     * Pushes one small image to the system's registry and returns the headers of the notification the
     * registry sent for it (with its Authorization), so a benchmark can send notifications as the registry would.
     */
    public static Map<String, String> registryHeaders(CascadeSystem system, Buildah buildah, String repository) throws Exception {
        Path ctx = Files.createDirectories(system.work().resolve("ctx-" + repository.replace('/', '-')));
        Files.writeString(ctx.resolve("file.txt"), UUID.randomUUID().toString());
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY file.txt /file.txt\n");
        String digest = buildah.buildAndPush(ctx, system.registry().host() + "/" + repository + ":1");
        WebhookRecorder.Delivery d = await(Duration.ofMinutes(1), Duration.ofMillis(100),
                () -> system.recorder().deliveries.stream().filter(x -> new String(x.body()).contains(digest)).findFirst().orElse(null),
                x -> x.status() < 300);
        return d.headers();
    }

    /** A Distribution registry notification of one tagged manifest push, as the registry sends it. */
    public static String distributionPush(String registryHost, String repository, String tag, String digest) {
        return """
                {"events":[{"id":"%s","timestamp":"%s","action":"push",
                  "target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":758,"digest":"%s","length":758,
                    "repository":"%s","url":"http://%s/v2/%s/manifests/%s","tag":"%s"},
                  "request":{"id":"%s","addr":"127.0.0.1:40000","host":"%s","method":"PUT","useragent":"Buildah/1.28.2"},
                  "actor":{},"source":{"addr":"bench:5000","instanceID":"bench"}}]}
                """.formatted(UUID.randomUUID(), Instant.now(), digest, repository, registryHost, repository, digest, tag,
                UUID.randomUUID(), registryHost);
    }

    /** The operating-system process of a service started by {@link ServiceProcess}. */
    public static Optional<ProcessHandle> process(ServiceProcess service) {
        String jar = service.name + "/target/quarkus-app/quarkus-run.jar";
        int port = service.port;
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(jar)).orElse(false))
                .filter(p -> listensOn(p.pid(), port))
                .findFirst();
    }

    /** Whether the process has a listening socket on the port (by /proc, so two instances of one service are told apart). */
    static boolean listensOn(long pid, int port) {
        String hexPort = String.format(":%04X", port);
        try {
            java.util.Set<String> inodes = new java.util.HashSet<>();
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds.forEach(fd -> {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException ignored) {
                        // closed meanwhile
                    }
                });
            }
            for (String table : new String[] {"tcp", "tcp6"}) {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hexPort) && "0A".equals(f[3]) && inodes.contains(f[9])) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Resident set size in MiB, from /proc. */
    public static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Stats.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0, 1);
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }

    /** A plain consumer of the system's {@code topic} in a group of its own, from {@code offsetReset} ("earliest", "latest"). */
    public static KafkaConsumer<String, String> consumer(CascadeSystem system, String topic, String offsetReset) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra().kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** A record's header as text, null when it has none of that name. */
    public static String header(ConsumerRecord<?, ?> rec, String name) {
        Header h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
