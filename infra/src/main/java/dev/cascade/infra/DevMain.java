package dev.cascade.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The local run: PostgreSQL and Kafka with their data under {@code .cascade/data} (kept across
 * restarts), a CNCF Distribution registry notifying trigger-service when the machine has one, and the
 * three services, each a child process. Waits until every service reports ready, prints where
 * everything is, and on Ctrl-C stops it all, children first.
 */
public final class DevMain {

    static final Map<String, Integer> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("trigger-service", 8081);
        SERVICES.put("build-service", 8082);
        SERVICES.put("deploy-service", 8083);
    }

    private final Path root;
    private final Path state;
    private final List<Process> children = new ArrayList<>();
    private Infra infra;

    private DevMain(Path root) {
        this.root = root;
        this.state = root.resolve(".cascade");
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Map<String, String> opts = InfraMain.parse(args);
        DevMain dev = new DevMain(Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dev.stop();
            stopped.countDown();
        }, "cascade-dev-shutdown"));
        try {
            dev.start(Integer.parseInt(opts.getOrDefault("postgres-port", "15432")),
                    Integer.parseInt(opts.getOrDefault("kafka-port", "9092")),
                    Integer.parseInt(opts.getOrDefault("kafka-controller-port", "9093")),
                    opts.get("registry-port") == null ? 5000 : Integer.parseInt(opts.get("registry-port")),
                    opts.containsKey("no-registry"));
        } catch (Exception e) {
            System.err.println("cascade: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    private void start(int pgPort, int kafkaPort, int controllerPort, int registryPort, boolean noRegistry) throws Exception {
        Path logs = state.resolve("logs");
        Files.createDirectories(logs);
        Instant begin = Instant.now();
        infra = new Infra(state.resolve("data"));
        infra.startPostgres(pgPort, List.copyOf(dbNames()));
        infra.startKafka(kafkaPort, controllerPort);

        Properties secrets = localSecrets();
        String registry = null;
        String registryBinary = findOnPath("docker-registry");
        if (!noRegistry && registryBinary != null) {
            registry = "localhost:" + registryPort;
            startRegistry(registryBinary, registryPort, logs, secrets.getProperty("distribution.token"));
        }

        for (Map.Entry<String, Integer> svc : SERVICES.entrySet()) {
            Path jar = root.resolve(svc.getKey()).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IOException(jar + " is missing: build first (mvn -DskipTests install)");
            }
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx512m", "-jar", jar.toString())
                    .directory(root.resolve(svc.getKey()).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(svc.getKey() + ".log").toFile()));
            Map<String, String> env = pb.environment();
            env.put("CASCADE_KAFKA_BOOTSTRAP", infra.kafkaBootstrap());
            env.put("CASCADE_DB_PORT", Integer.toString(infra.postgresPort()));
            env.put("CASCADE_SECRETS_KEY", secrets.getProperty("secrets.key"));
            env.put("CASCADE_WEBHOOKS_DISTRIBUTION_SECRETS", secrets.getProperty("distribution.token"));
            env.put("CASCADE_API_OPERATOR_TOKENS", secrets.getProperty("api.operator.token"));
            env.put("CASCADE_API_VIEWER_TOKENS", secrets.getProperty("api.viewer.token"));
            env.put("CASCADE_DEPLOY_TOKEN", secrets.getProperty("api.viewer.token"));
            if (registry != null) {
                env.put("CASCADE_REGISTRY", registry);
                env.put("CASCADE_REGISTRY_ENDPOINTS", registry + "=http://" + registry);
                // the local registry notifies trigger-service of every push: its tags are watched only as a safety net
                env.put("CASCADE_WATCH_WEBHOOK_REGISTRIES", registry);
            }
            children.add(pb.start());
        }

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        int i = 0;
        for (Map.Entry<String, Integer> svc : SERVICES.entrySet()) {
            awaitReady(http, svc.getKey(), svc.getValue(), children.get(i++), logs.resolve(svc.getKey() + ".log"));
        }
        long seconds = Duration.between(begin, Instant.now()).toSeconds();

        StringBuilder out = new StringBuilder();
        out.append("\nCascade is running (ready in ").append(seconds).append(" s). Ctrl-C stops everything.\n\n");
        for (Map.Entry<String, Integer> svc : SERVICES.entrySet()) {
            String base = "http://localhost:" + svc.getValue();
            out.append(String.format("  %-16s %s/api   Swagger UI %s/q/swagger-ui   health %s/q/health   metrics %s/q/metrics%n",
                    svc.getKey(), base, base, base, base));
        }
        out.append("\n  webhooks         http://localhost:8081/webhooks/git/{github|gitlab|gitea|bitbucket}\n");
        out.append("                   http://localhost:8081/webhooks/registry/{distribution|dockerhub|harbor|quay|ghcr|acr|nexus|artifactory}\n");
        out.append("  pipelines        http://localhost:8081/api/pipelines\n");
        out.append("  kafka            ").append(infra.kafkaBootstrap()).append('\n');
        out.append("  postgres         localhost:").append(infra.postgresPort()).append(" (user postgres; databases ")
                .append(String.join(", ", dbNames())).append(")\n");
        out.append("  registry         ").append(registry != null ? registry + " (notifies trigger-service)"
                : "not started: install it with 'apt-get install -y docker-registry'").append('\n');
        out.append("  API tokens       ").append(state.resolve("api-token")).append(" (operator; ./cascade uses it), ")
                .append(state.resolve("secrets.properties")).append(" (api.viewer.token)\n");
        out.append("  logs and data    ").append(state).append('\n');
        System.out.println(out);
    }

    private static List<String> dbNames() {
        return SERVICES.keySet().stream().map(s -> s.substring(0, s.indexOf('-'))).toList();
    }

    /**
     * The secrets of the local run, made once and kept in {@code .cascade/secrets.properties} (mode 600): the key
     * that encrypts stored webhook secrets, the registry's notification token and the API tokens. The operator's
     * API token is also written to {@code .cascade/api-token}, where {@code ./cascade} finds it.
     */
    private Properties localSecrets() throws IOException {
        Path file = state.resolve("secrets.properties");
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        java.security.SecureRandom random = new java.security.SecureRandom();
        boolean added = false;
        for (String name : List.of("secrets.key", "distribution.token", "api.operator.token", "api.viewer.token")) {
            if (p.getProperty(name) == null) {
                byte[] bytes = new byte[name.equals("secrets.key") ? 32 : 24];
                random.nextBytes(bytes);
                p.setProperty(name, name.equals("secrets.key") ? java.util.Base64.getEncoder().encodeToString(bytes)
                        : java.util.HexFormat.of().formatHex(bytes));
                added = true;
            }
        }
        if (added) {
            writePrivate(file, out -> p.store(out, "secrets of the local Cascade run; keep private"));
        }
        writePrivate(state.resolve("api-token"), out -> out.write((p.getProperty("api.operator.token") + "\n").getBytes(StandardCharsets.UTF_8)));
        return p;
    }

    private interface Writer {
        void write(java.io.OutputStream out) throws IOException;
    }

    /** Writes a file only its owner can read. */
    private static void writePrivate(Path file, Writer content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (var out = Files.newOutputStream(file)) {
            content.write(out);
        }
    }

    private void startRegistry(String binary, int port, Path logs, String token) throws IOException {
        Path storage = state.resolve("data/registry");
        Files.createDirectories(storage);
        Path config = state.resolve("registry.yml");
        Files.writeString(config, new RegistryConfig(storage, port, true,
                new RegistryConfig.Notifications("http://localhost:8081/webhooks/registry/distribution", token, 5, 2, true)).yaml());
        children.add(new ProcessBuilder(binary, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("registry.log").toFile()))
                .start());
    }

    private static void awaitReady(HttpClient http, String name, int port, Process process, Path log)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(3)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; its log: " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(name + " not ready after 120 s; its log: " + log);
            }
            Thread.sleep(250);
        }
    }

    private void stop() {
        System.out.println("\nstopping Cascade ...");
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (infra != null) {
            infra.close();
        }
        System.out.println("stopped.");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String findOnPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, binary);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
