package dev.cascade.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link InfraMain} (a real Kafka broker and a real PostgreSQL server) as a child JVM and tells
 * where they listen. Uses nothing but the JDK, so a test JVM can hold it without the broker's jars.
 *
 * <p>The child watches its standard input: if this JVM dies without closing it, the pipe breaks and the
 * child shuts the broker and the database down by itself, so no test run leaves servers behind.
 */
public final class InfraProcess implements AutoCloseable {

    static final String CLASSPATH_RESOURCE = "META-INF/cascade/infra-classpath.txt";

    private final Process process;
    private final OutputStream lifeline;
    private final Properties endpoints;
    private final Path logFile;

    private InfraProcess(Process process, Properties endpoints, Path logFile) {
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.endpoints = endpoints;
        this.logFile = logFile;
    }

    /**
     * Starts the infrastructure with data in a fresh temporary directory, on free ports, creating the
     * given databases, and waits until both servers accept connections.
     */
    public static InfraProcess start(Path workDir, List<String> databases, Duration timeout) throws IOException {
        Files.createDirectories(workDir);
        Path readyFile = workDir.resolve("endpoints.properties");
        Files.deleteIfExists(readyFile);
        Path logFile = workDir.resolve("infra.log");

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(classpath());
        command.add(InfraMain.class.getName());
        command.add("--data-dir=" + workDir.resolve("data"));
        command.add("--fresh");
        command.add("--databases=" + String.join(",", databases));
        command.add("--ready-file=" + readyFile);
        command.add("--exit-on-stdin-eof");

        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        Instant deadline = Instant.now().plus(timeout);
        while (!Files.exists(readyFile)) {
            if (!process.isAlive()) {
                throw new IOException("embedded infrastructure exited with " + process.exitValue() + "; see " + logFile);
            }
            if (Instant.now().isAfter(deadline)) {
                process.destroyForcibly();
                throw new IOException("embedded infrastructure not ready after " + timeout + "; see " + logFile);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while waiting for the embedded infrastructure", e);
            }
        }
        Properties endpoints = new Properties();
        try (InputStream in = Files.newInputStream(readyFile)) {
            endpoints.load(in);
        }
        return new InfraProcess(process, endpoints, logFile);
    }

    /** The classpath of the infra module: its own classes plus the runtime dependencies recorded at build time. */
    static String classpath() throws IOException {
        String own;
        try {
            own = Path.of(InfraProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the infra classes", e);
        }
        try (InputStream in = InfraProcess.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IOException(CLASSPATH_RESOURCE + " is missing: build the infra module first (mvn -pl infra install)");
            }
            String deps = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return own + java.io.File.pathSeparator + deps;
        }
    }

    private final java.util.concurrent.atomic.AtomicInteger commandSeq = new java.util.concurrent.atomic.AtomicInteger();

    /** Stops the broker, as an outage would; its data and ports are kept for {@link #startKafka()}. */
    public void stopKafka() throws IOException {
        command("kafka-stop");
    }

    /** Starts the broker again after {@link #stopKafka()} and waits until it serves requests. */
    public void startKafka() throws IOException {
        command("kafka-start");
    }

    /** Stops PostgreSQL (a fast shutdown, as a restart does); its data and port are kept for {@link #startPostgres()}. */
    public void stopPostgres() throws IOException {
        command("postgres-stop");
    }

    /** Starts PostgreSQL again after {@link #stopPostgres()} and waits until it accepts connections. */
    public void startPostgres() throws IOException {
        command("postgres-start");
    }

    private synchronized void command(String command) throws IOException {
        int seq = commandSeq.incrementAndGet();
        Path ack = logFile.resolveSibling("ack-" + seq);
        lifeline.write((seq + " " + command + "\n").getBytes(StandardCharsets.UTF_8));
        lifeline.flush();
        Instant deadline = Instant.now().plusSeconds(120);
        while (!Files.exists(ack)) {
            if (Instant.now().isAfter(deadline) || !process.isAlive()) {
                throw new IOException(command + " did not complete; see " + logFile);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        String outcome = Files.readString(ack);
        if (!outcome.equals("ok")) {
            throw new IOException(command + ": " + outcome);
        }
    }

    /** {@code host:port} of the Kafka broker. */
    /** {@code n} distinct free local ports, for services that must be named before they start. */
    public static int[] freePorts(int n) throws IOException {
        return Infra.freePorts(n);
    }

    public String kafkaBootstrapServers() {
        return endpoints.getProperty(InfraMain.KAFKA_BOOTSTRAP);
    }

    public int postgresPort() {
        return Integer.parseInt(endpoints.getProperty(InfraMain.POSTGRES_PORT));
    }

    public String postgresUser() {
        return InfraMain.POSTGRES_USER;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgresPort() + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://localhost:" + postgresPort() + "/" + database;
    }

    public Path logFile() {
        return logFile;
    }

    /** Stops the broker and the database and waits for the child to exit. */
    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the child notices the closed pipe either way
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
