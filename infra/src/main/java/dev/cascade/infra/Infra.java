package dev.cascade.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker (a child JVM running {@code kafka.Kafka}) and a real PostgreSQL
 * server (zonky's embedded binaries), with their data under one directory.
 */
final class Infra implements AutoCloseable {

    private final Path dataDir;
    private EmbeddedPostgres postgres;
    private List<String> databases = List.of();
    private Process kafka;
    private String kafkaBootstrap;
    private int kafkaPort;
    private int kafkaControllerPort;

    Infra(Path dataDir) {
        this.dataDir = dataDir;
    }

    void startPostgres(int port, List<String> databases) throws IOException, SQLException {
        this.databases = List.copyOf(databases);
        Path pgData = dataDir.resolve("postgres");
        Files.createDirectories(pgData);
        // zonky runs initdb only for an empty directory; an existing cluster is started as it is
        boolean existing = Files.exists(pgData.resolve("PG_VERSION"));
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setPort(port == 0 ? freePort() : port)
                .setServerConfig("max_connections", "300")
                .setServerConfig("fsync", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
                .start();
        log("PostgreSQL " + (existing ? "restarted on its existing data" : "initialised") + " on port " + postgres.getPort());
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(InfraMain.POSTGRES_USER, "postgres"));
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?");
             Statement create = c.createStatement()) {
            for (String db : databases) {
                if (!db.matches("[a-z][a-z0-9_]*")) {
                    throw new IllegalArgumentException("invalid database name: " + db);
                }
                exists.setString(1, db);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        create.execute("CREATE DATABASE " + db);
                    }
                }
            }
        }
    }

    /** Stops PostgreSQL (a fast shutdown: open sessions are ended), keeping its data. */
    void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
        log("PostgreSQL stopped");
    }

    /** Starts PostgreSQL again on the same port and data after {@link #stopPostgres()}. */
    void restartPostgres() throws IOException, SQLException {
        startPostgres(postgres.getPort(), databases);
    }

    /** The Kafka broker's process, once started. */
    Optional<ProcessHandle> kafkaProcess() {
        return kafka == null ? Optional.empty() : Optional.of(kafka.toHandle());
    }

    int postgresPort() {
        return postgres.getPort();
    }

    void startKafka(int port, int controllerPort) throws IOException, InterruptedException {
        Path logDir = dataDir.resolve("kafka");
        Files.createDirectories(logDir);
        // both sockets are held at once, so the two listeners never get the same free port
        int[] free = freePorts(2);
        int brokerPort = port == 0 ? free[0] : port;
        int ctrlPort = controllerPort == 0 ? free[1] : controllerPort;
        kafkaPort = brokerPort;
        kafkaControllerPort = ctrlPort;
        kafkaBootstrap = "localhost:" + brokerPort;

        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@localhost:" + ctrlPort);
        props.setProperty("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + ctrlPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", logDir.toString());
        props.setProperty("num.partitions", "3");
        props.setProperty("auto.create.topics.enable", "true");
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("offsets.topic.num.partitions", "5");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("log.flush.interval.messages", "1");
        Path config = dataDir.resolve("kafka.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "written by Cascade's embedded infrastructure");
        }

        String classpath = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path kafkaLog = dataDir.resolve("kafka.log");

        // A kept data directory is formatted already and keeps its cluster id and topics.
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            Process format = new ProcessBuilder(java, "-cp", classpath, "kafka.tools.StorageTool", "format",
                    "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(kafkaLog.toFile()))
                    .start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IOException("formatting the Kafka log directory failed; see " + kafkaLog);
            }
        }

        kafka = new ProcessBuilder(java, "-Xms256m", "-Xmx1g", "-cp", classpath,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                KafkaServerMain.class.getName(), config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(kafkaLog.toFile()))
                .start();

        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        Instant deadline = Instant.now().plusSeconds(90);
        try (Admin admin = Admin.create(adminProps)) {
            while (true) {
                if (!kafka.isAlive()) {
                    throw new IOException("Kafka exited with " + kafka.exitValue() + "; see " + kafkaLog);
                }
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    break;
                } catch (Exception notYet) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IOException("Kafka not ready after 90 s; see " + kafkaLog);
                    }
                    Thread.sleep(200);
                }
            }
        }
        log("Kafka (KRaft) ready on " + kafkaBootstrap);
    }

    /** Stops the broker (as an outage would), keeping its data. */
    void stopKafka() throws InterruptedException {
        if (kafka != null && kafka.isAlive()) {
            kafka.destroy();
            if (!kafka.waitFor(30, TimeUnit.SECONDS)) {
                kafka.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        log("Kafka stopped");
    }

    /** Starts the broker again on the same ports and data after {@link #stopKafka()}. */
    void restartKafka() throws IOException, InterruptedException {
        startKafka(kafkaPort, kafkaControllerPort);
    }

    String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** Writes where the servers listen, atomically, for whoever waits on the file. */
    void writeEndpoints(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty(InfraMain.KAFKA_BOOTSTRAP, kafkaBootstrap);
        p.setProperty(InfraMain.POSTGRES_PORT, Integer.toString(postgres.getPort()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, null);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        List<Exception> problems = new ArrayList<>();
        try {
            stopKafka();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kafka.destroyForcibly();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                problems.add(e);
            }
        }
        problems.forEach(p -> log("stopping: " + p));
    }

    static int freePort() throws IOException {
        return freePorts(1)[0];
    }

    /** {@code n} distinct free ports. */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    static void log(String message) {
        System.out.println("[cascade-infra] " + message);
        System.out.flush();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
