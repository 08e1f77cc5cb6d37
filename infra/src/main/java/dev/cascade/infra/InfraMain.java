package dev.cascade.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Command line of the embedded infrastructure: starts PostgreSQL and Kafka, writes their endpoints to
 * a file, and runs until it is stopped (SIGTERM, Ctrl-C, or the end of standard input).
 *
 * <pre>
 * --data-dir=DIR           where both servers keep their data (required)
 * --fresh                  start from an empty directory and delete it on exit
 * --databases=a,b          databases to create if missing
 * --postgres-port=N        0 (default) picks a free port
 * --kafka-port=N           0 (default) picks a free port
 * --kafka-controller-port=N
 * --ready-file=FILE        endpoints written here once both servers are ready
 * --exit-on-stdin-eof      stop when the parent closes our standard input
 * </pre>
 */
public final class InfraMain {

    static final String KAFKA_BOOTSTRAP = "kafka.bootstrap.servers";
    static final String POSTGRES_PORT = "postgres.port";
    static final String POSTGRES_USER = "postgres";

    private InfraMain() {
    }

    public static void main(String[] args) throws Exception {
        // the broker and zonky log through slf4j-simple; keep their chatter out of the console
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        Map<String, String> opts = parse(args);
        Path dataDir = Path.of(require(opts, "data-dir")).toAbsolutePath();
        boolean fresh = opts.containsKey("fresh");
        if (fresh) {
            deleteTree(dataDir);
        }
        Files.createDirectories(dataDir);

        Infra infra = new Infra(dataDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Infra.log("stopping Kafka and PostgreSQL");
            infra.close();
            if (fresh) {
                deleteTree(dataDir);
            }
            stopped.countDown();
        }, "infra-shutdown"));
        if (opts.containsKey("exit-on-stdin-eof")) {
            Path acks = opts.containsKey("ready-file") ? Path.of(opts.get("ready-file")).getParent() : dataDir;
            ParentWatch.exitWhenStdinCloses("the embedded infrastructure", command -> runCommand(infra, command, acks));
        }

        List<String> databases = Arrays.stream(opts.getOrDefault("databases", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        infra.startPostgres(Integer.parseInt(opts.getOrDefault("postgres-port", "0")), databases);
        infra.startKafka(Integer.parseInt(opts.getOrDefault("kafka-port", "0")),
                Integer.parseInt(opts.getOrDefault("kafka-controller-port", "0")));
        if (opts.containsKey("ready-file")) {
            infra.writeEndpoints(Path.of(opts.get("ready-file")));
        }
        Infra.log("ready: kafka=" + infra.kafkaBootstrap() + " postgres=localhost:" + infra.postgresPort());
        stopped.await();
    }

    /**
     * Commands a test sends on standard input, as {@code <seq> <command>}; once done, the file
     * {@code ack-<seq>} appears beside the ready file. {@code kafka-stop} and {@code kafka-start} simulate
     * a broker outage, {@code postgres-stop} and {@code postgres-start} a database restart, each on the same
     * ports and data.
     */
    static void runCommand(Infra infra, String line, Path ackDir) {
        String[] parts = line.split(" ", 2);
        if (parts.length != 2) {
            return;
        }
        String outcome;
        try {
            switch (parts[1]) {
                case "kafka-stop" -> infra.stopKafka();
                case "kafka-start" -> infra.restartKafka();
                case "postgres-stop" -> infra.stopPostgres();
                case "postgres-start" -> infra.restartPostgres();
                default -> throw new IllegalArgumentException("unknown command " + parts[1]);
            }
            outcome = "ok";
        } catch (Exception e) {
            outcome = "failed: " + e.getMessage();
        }
        try {
            // written whole, then named: the waiting side acts as soon as the name exists
            Path tmp = ackDir.resolve("ack-" + parts[0] + ".tmp");
            Files.writeString(tmp, outcome);
            Files.move(tmp, ackDir.resolve("ack-" + parts[0]), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Infra.log("cannot acknowledge command " + line + ": " + e.getMessage());
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                opts.put(arg.substring(2), "true");
            } else {
                opts.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        return opts;
    }

    static String require(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            Infra.log("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
