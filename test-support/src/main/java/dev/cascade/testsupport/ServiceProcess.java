package dev.cascade.testsupport;

import dev.cascade.infra.InfraProcess;
import dev.cascade.infra.ServiceLaunch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Cascade service started as it ships ({@link ServiceLaunch}: {@code java @jvm.options -jar quarkus-run.jar} in
 * {@code <module>/target/quarkus-app}). It can
 * be killed as a crash would end it and started again on the same port with the same environment.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The instance's name: its module, or {@code <module>-<n>} for a further instance. */
    public final String name;
    public final String module;
    public final int port;
    public final Path log;
    private final Path root;
    private final Map<String, String> env;
    private volatile Process process;

    /**
     * Options the tests add after the shipped ones: by default C1 only ({@code -XX:TieredStopAtLevel=1}). A service
     * under test lives for a minute or two, so C2's compilations cost more CPU than they give back on a two-core
     * machine; the shipped options are unchanged. {@code -Dcascade.test.service-jvm-options=} (empty) runs the shipped
     * options alone.
     */
    private static final List<String> TEST_JVM_OPTIONS = List.of(
            System.getProperty("cascade.test.service-jvm-options", "-XX:TieredStopAtLevel=1").trim().split("\\s+"))
            .stream().filter(o -> !o.isEmpty()).toList();

    private ServiceProcess(String name, String module, int port, Path log, Path root, Map<String, String> env) {
        this.name = name;
        this.module = module;
        this.port = port;
        this.log = log;
        this.root = root;
        this.env = Map.copyOf(env);
    }

    /**
     * What any service needs in its environment to run beside {@code infra}: the broker, the PostgreSQL server
     * (its user, whose password is its name) and a fresh key for the webhook secrets it stores.
     */
    public static Map<String, String> infraEnv(InfraProcess infra) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Map.of("CASCADE_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers(),
                "CASCADE_DB_PORT", Integer.toString(infra.postgresPort()),
                "CASCADE_DB_USER", infra.postgresUser(),
                "CASCADE_DB_PASSWORD", infra.postgresUser(),
                "CASCADE_SECRETS_KEY", Base64.getEncoder().encodeToString(key));
    }

    public static ServiceProcess start(Path root, String module, int port, Path logs, Map<String, String> env) throws IOException {
        return start(root, module, module, port, logs, env);
    }

    /** Starts an instance named {@code name} (its log is {@code <name>.log}) of {@code module}. */
    public static ServiceProcess start(Path root, String module, String name, int port, Path logs, Map<String, String> env)
            throws IOException {
        Files.createDirectories(logs);
        ServiceProcess service = new ServiceProcess(name, module, port, logs.resolve(name + ".log"), root, env);
        Files.deleteIfExists(service.log);
        service.launch();
        return service;
    }

    private void launch() throws IOException {
        launch(Map.of());
    }

    private void launch(Map<String, String> extraEnv) throws IOException {
        ProcessBuilder pb = ServiceLaunch.processBuilder(root, module)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.command().addAll(2, TEST_JVM_OPTIONS);
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        process = pb.start();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Ends the service as a crash or an evicted pod would: SIGKILL to the JVM and to every process it started
     * (a build's git or buildah), with no shutdown hook, no graceful stop, nothing flushed.
     */
    public void kill() throws InterruptedException {
        Process p = process;
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die from SIGKILL");
        }
        note("killed (SIGKILL) by the test");
    }

    /** Starts the service again, on the same port with the same environment, after {@link #kill()} or {@link #close()}. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        note("started again by the test");
        launch();
    }

    /**
     * Starts the service again with more environment for this run only (a later {@link #restart()} goes back to the
     * environment it was started with): for test hooks such as deploy-service's {@code CASCADE_TEST_CRASH_POINT}.
     */
    public void restartWith(Map<String, String> extraEnv) throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        note("started again by the test with " + extraEnv.keySet());
        launch(extraEnv);
    }

    /** Waits until the process has ended by itself (a crash point halted it); false when it still runs after {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit status of the ended process. */
    public int exitValue() {
        return process.exitValue();
    }

    private void note(String what) {
        try {
            Files.writeString(log, "\n===== " + Instant.now() + " " + name + " " + what + " =====\n\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the marker only helps a reader of the log
        }
    }

    /** Waits until {@code /q/health/ready} answers 200; fails at once when the process has exited. */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Process p = process;
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            if (readiness() == 200) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(name + " not ready after " + timeout + "; its log: " + log);
            }
            Thread.sleep(250);
        }
    }

    /** The status {@code /q/health/ready} answers now; 0 when nothing answers. */
    public int readiness() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        try {
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notListening) {
            return 0;
        }
    }

    @Override
    public void close() {
        Process p = process;
        p.destroy();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
