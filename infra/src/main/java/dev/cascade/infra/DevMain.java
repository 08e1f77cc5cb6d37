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
        // the services read the same variables for their ports
        SERVICES.put("trigger-service", port("CASCADE_TRIGGER_PORT", 8081));
        SERVICES.put("build-service", port("CASCADE_BUILD_PORT", 8082));
        SERVICES.put("deploy-service", port("CASCADE_DEPLOY_PORT", 8083));
    }

    private static int port(String variable, int otherwise) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? otherwise : Integer.parseInt(value.trim());
    }

    private final Path root;
    private final Path state;
    private final List<Process> children = new ArrayList<>();
    private Infra infra;
    private Process guard;
    private java.io.Writer guardInput;

    private DevMain(Path root, Path state) {
        this.root = root;
        this.state = state;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Map<String, String> opts = InfraMain.parse(args);
        Path root = Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize();
        DevMain dev = new DevMain(root, Path.of(opts.getOrDefault("state", root.resolve(".cascade").toString())).toAbsolutePath().normalize());
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
        startGuard(logs);
        infra = new Infra(state.resolve("data"));
        infra.startPostgres(pgPort, List.copyOf(dbNames()));
        guarded("pgdata " + state.resolve("data/postgres"));
        infra.startKafka(kafkaPort, controllerPort);
        infra.kafkaProcess().ifPresent(this::recordPid);

        Properties secrets = localSecrets();
        String registry = null;
        String registryBinary = findOnPath("docker-registry");
        if (!noRegistry && registryBinary != null) {
            registry = "localhost:" + registryPort;
            startRegistry(registryBinary, registryPort, logs, secrets.getProperty("distribution.token"));
        }

        for (Map.Entry<String, Integer> svc : SERVICES.entrySet()) {
            ProcessBuilder pb = ServiceLaunch.processBuilder(root, svc.getKey())
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
            guard(pb.start());
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
        String trigger = "http://localhost:" + SERVICES.get("trigger-service");
        out.append("\n  webhooks         ").append(trigger).append("/webhooks/git/{github|gitlab|gitea|bitbucket}\n");
        out.append("                   ").append(trigger).append("/webhooks/registry/{distribution|dockerhub|harbor|quay|ghcr|acr|nexus|artifactory}\n");
        out.append("  pipelines        ").append(trigger).append("/api/pipelines\n");
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
                new RegistryConfig.Notifications("http://localhost:" + SERVICES.get("trigger-service") + "/webhooks/registry/distribution", token, 5, 2, true)).yaml());
        guard(new ProcessBuilder(binary, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("registry.log").toFile()))
                .start());
    }

    /**
     * Starts the {@link RunGuard}, which ends every part of the run once this process is gone, however it ended; and
     * begins {@code .cascade/run.pids}, which {@code ./cascade stop} reads to end a run whose guard could not.
     */
    private void startGuard(Path logs) throws IOException {
        Files.writeString(state.resolve("run.pids"), "");
        guard = new ProcessBuilder(javaBinary(), "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                RunGuard.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("guard.log").toFile()))
                .start();
        guardInput = new java.io.OutputStreamWriter(guard.getOutputStream(), StandardCharsets.UTF_8);
        recordPid(guard.toHandle());
    }

    /** A child of the run: kept, named to the guard and recorded for {@code ./cascade stop}. */
    private void guard(Process child) throws IOException {
        children.add(child);
        guarded("pid " + child.pid());
        recordPid(child.toHandle());
    }

    private void guarded(String line) throws IOException {
        guardInput.write(line + "\n");
        guardInput.flush();
    }

    private void recordPid(ProcessHandle p) {
        try {
            Files.writeString(state.resolve("run.pids"), p.pid() + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cascade: cannot record pid " + p.pid() + ": " + e.getMessage());
        }
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
        if (guard != null) {
            guard.destroy(); // everything it guards has ended
        }
        try {
            Files.deleteIfExists(state.resolve("run.pids"));
        } catch (IOException ignored) {
            // ./cascade stop finds nothing alive under the pids it names
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
