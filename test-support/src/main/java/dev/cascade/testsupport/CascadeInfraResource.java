package dev.cascade.testsupport;

import dev.cascade.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Quarkus test resource that runs the service under test against a real Kafka broker and a real
 * PostgreSQL server, started by {@link InfraProcess} in a child JVM for the whole test run of a module.
 *
 * <p>Init arg {@code database}: the database of the service under test (created if missing).
 */
public class CascadeInfraResource implements QuarkusTestResourceLifecycleManager {

    private static volatile InfraProcess infra;
    private String database = "cascade";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        try {
            Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "cascade-infra-");
            infra = InfraProcess.start(work, List.of(database), Duration.ofMinutes(3));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Kafka and PostgreSQL", e);
        }
        Map<String, String> config = new java.util.HashMap<>(TestTokens.config());
        config.putAll(Map.of(
                "kafka.bootstrap.servers", infra.kafkaBootstrapServers(),
                "quarkus.datasource.reactive.url", infra.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", infra.jdbcUrl(database),
                "quarkus.datasource.username", infra.postgresUser(),
                "quarkus.datasource.password", infra.postgresUser()));
        return config;
    }

    @Override
    public void stop() {
        if (infra != null) {
            infra.close();
            infra = null;
        }
    }

    /** The running infrastructure, for tests that talk to the broker or the database themselves. */
    public static InfraProcess infra() {
        if (infra == null) {
            throw new IllegalStateException("the embedded infrastructure is not running");
        }
        return infra;
    }
}
