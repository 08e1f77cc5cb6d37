package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.e2e.WebhookSenders.Input;
import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Fuzzing of every webhook endpoint through the real HTTP path: trigger-service as it ships, on a real KRaft broker
 * and a real PostgreSQL, with a secret configured for every sender and an (empty) registry standing in for docker.io,
 * quay.io and the registry of a Nexus repository. Each property sends its tries in batches of {@link #BATCH} requests at once over one HTTP client;
 * together they send over 100,000 requests, made from every sender's real payload: cut short, with invalid UTF-8,
 * with values of the wrong kind, not objects, nested fifty thousand deep, with strings of sixty thousand characters,
 * without required headers, with forged, missing or garbled proof, in media types the sender does not use, and
 * random from path to body.
 *
 * <p>Every answer is below 500, every refused request is a 4xx, and nothing is stored for any of them: the counts of
 * deliveries, the events they caused, the outbox, the image pushes seen and the pipeline view are the same after each
 * property as before it. The one row a request may leave is the record of a refused proof: each 401 is recorded as
 * one rejected delivery, without its body (so a sender's operator can see why its deliveries fail), and nothing else
 * is.
 */
class WebhookFuzzTests {

    /** Requests sent at once in one try: 25 in a default run (2,020 tries, 50,500 requests), 50 in the full one (101,000). */
    static final int BATCH = Integer.getInteger("cascade.fuzz.batch", 25);

    static Path work;
    static InfraProcess infra;
    static LocalRegistry registry;
    static ServiceProcess trigger;
    static HttpClient http;
    static Connection database;
    static final Map<String, Long> SENT = new LinkedHashMap<>();
    static final long STARTED = System.nanoTime();

    private String property;
    private Map<String, Long> before;
    private OffsetDateTime since;
    private long startedAt;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refusedProofs = new AtomicLong();
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final Map<String, Long> senders = new TreeMap<>();

    @BeforeContainer
    static void start() throws Exception {
        WebhookMutations.checkCatalog();
        Path root = Path.of("..").toAbsolutePath().normalize();
        work = Files.createTempDirectory("webhook-fuzz");
        infra = InfraProcess.start(work.resolve("infra"), List.of("trigger"), Duration.ofMinutes(3));
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        int port = InfraProcess.freePorts(1)[0];
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = new HashMap<>(WebhookSenders.secretsEnv());
        env.put("CASCADE_KAFKA_BOOTSTRAP", infra.kafkaBootstrapServers());
        env.put("CASCADE_DB_PORT", Integer.toString(infra.postgresPort()));
        env.put("CASCADE_DB_USER", infra.postgresUser());
        env.put("CASCADE_DB_PASSWORD", infra.postgresUser());
        env.put("CASCADE_SECRETS_KEY", Base64.getEncoder().encodeToString(key));
        env.put("CASCADE_TRIGGER_PORT", Integer.toString(port));
        env.put("CASCADE_WEBHOOKS_MAX_BODY_SIZE", "256K");
        env.put("CASCADE_REGISTRY_ENDPOINTS", "docker.io=http://" + registry.host() + ",quay.io=http://" + registry.host()
                + "," + WebhookSenders.NEXUS_REGISTRY + "=http://" + registry.host());
        trigger = ServiceProcess.start(root, "trigger-service", port, work.resolve("logs"), env);
        trigger.awaitReady(Duration.ofMinutes(3));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        database = DriverManager.getConnection(infra.jdbcUrl("trigger"), infra.postgresUser(), infra.postgresUser());
    }

    @AfterContainer
    static void stop() throws Exception {
        long total = SENT.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("webhook fuzzing: %,d requests in %d s: %s%n", total,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED), SENT);
        if (database != null) {
            database.close();
        }
        if (trigger != null) {
            trigger.close();
            Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
            Files.copy(trigger.log, logs.resolve("webhook-fuzz-trigger-service.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (registry != null) {
            registry.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @BeforeProperty
    void countBefore() throws SQLException {
        before = stored();
        since = OffsetDateTime.now();
        startedAt = System.nanoTime();
    }

    @AfterProperty
    void nothingWasStored() throws SQLException {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt);
        SENT.merge(String.valueOf(property), sent.get(), Long::sum);
        System.out.printf("%s: %,d requests in %d s; answers %s; senders %s%n", property, sent.get(), seconds, statuses, senders);

        Map<String, Long> after = stored();
        Map<String, Long> expected = new TreeMap<>(before);
        expected.merge("rejected deliveries", refusedProofs.get(), Long::sum);
        if (!after.equals(expected)) {
            assertThat(after).as("rows after %s (deliveries stored meanwhile: %s)", property, storedSince()).isEqualTo(expected);
        }
    }

    // ---- the properties -----------------------------------------------------------------------------------------------

    @Property(tries = 600, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
    void brokenGitDeliveriesWithValidProofAreRefused(@ForAll("brokenGit") List<Input> batch) {
        send("brokenGitDeliveriesWithValidProofAreRefused", batch).forEach(a -> {
            refused(a);
            assertThat(a.status()).as("%s", a).isNotEqualTo(401);
        });
    }

    @Property(tries = 500, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
    void brokenRegistryDeliveriesWithValidProofAreRefused(@ForAll("brokenRegistry") List<Input> batch) {
        send("brokenRegistryDeliveriesWithValidProofAreRefused", batch).forEach(a -> {
            refused(a);
            assertThat(a.status()).as("%s", a).isNotEqualTo(401);
        });
    }

    @Property(tries = 300, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
    void deliveriesWithForgedProofAreRefused(@ForAll("forged") List<Input> batch) {
        send("deliveriesWithForgedProofAreRefused", batch).forEach(WebhookFuzzTests::refused);
    }

    @Property(tries = 200, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
    void validDeliveriesInAMediaTypeTheirSenderDoesNotUseAreRefused(@ForAll("unsupportedMediaType") List<Input> batch) {
        send("validDeliveriesInAMediaTypeTheirSenderDoesNotUseAreRefused", batch).forEach(a -> {
            refused(a);
            assertThat(a.status()).as("%s", a).isNotEqualTo(401);
        });
    }

    @Property(tries = 420, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.BOUNDED)
    void randomRequestsAreRefused(@ForAll("random") List<Input> batch) {
        send("randomRequestsAreRefused", batch).forEach(WebhookFuzzTests::refused);
    }

    /** Answered with a 4xx, the one the input must get if it names one. */
    static void refused(Answer a) {
        assertThat(a.status()).as("%s", a).isBetween(400, 499);
        if (a.input().expect() != 0) {
            assertThat(a.status()).as("%s", a).isEqualTo(a.input().expect());
        }
    }

    @Provide
    Arbitrary<List<Input>> brokenGit() {
        return WebhookMutations.broken(WebhookSenders.GIT).list().ofSize(BATCH);
    }

    @Provide
    Arbitrary<List<Input>> brokenRegistry() {
        return WebhookMutations.broken(WebhookSenders.REGISTRY).list().ofSize(BATCH);
    }

    @Provide
    Arbitrary<List<Input>> forged() {
        return WebhookMutations.forged(WebhookSenders.ALL).list().ofSize(BATCH);
    }

    @Provide
    Arbitrary<List<Input>> unsupportedMediaType() {
        return WebhookMutations.unsupportedMediaType(WebhookSenders.ALL).list().ofSize(BATCH);
    }

    @Provide
    Arbitrary<List<Input>> random() {
        return WebhookMutations.random().list().ofSize(BATCH);
    }

    // ---- sending and counting -----------------------------------------------------------------------------------------

    /** A request and the answer it got. */
    record Answer(Input input, int status, String body) {
        @Override
        public String toString() {
            return input + "\nanswered " + status + " " + body;
        }
    }

    /** Sends the batch at once and waits for every answer; a request that gets none fails the try. */
    List<Answer> send(String property, List<Input> batch) {
        this.property = property;
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (Input input : batch) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(trigger.url() + input.path()))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(input.body()));
            input.headers().forEach(request::header);
            pending.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            HttpResponse<String> response = pending.get(i).join();
            Input input = batch.get(i);
            answers.add(new Answer(input, response.statusCode(), response.body()));
            sent.incrementAndGet();
            statuses.merge(response.statusCode(), 1L, Long::sum);
            String label = input.label();
            senders.merge(label.contains(":") ? label.substring(0, label.indexOf(':')) : label, 1L, Long::sum);
            if (response.statusCode() == 401) {
                refusedProofs.incrementAndGet();
            }
        }
        return answers;
    }

    /** Row counts of everything a delivery may cause, with the records of refused proofs counted apart. */
    static Map<String, Long> stored() throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Statement s = database.createStatement(); ResultSet rs = s.executeQuery("""
                select (select count(*) from delivery where status <> 'rejected'),
                       (select count(*) from delivery where status = 'rejected'),
                       (select count(*) from delivery where status = 'rejected' and body is not null),
                       (select count(*) from delivery_event),
                       (select count(*) from outbox_event),
                       (select count(*) from image_report),
                       (select count(*) from webhook_secret),
                       (select count(*) from pipeline),
                       (select count(*) from pipeline_node),
                       (select count(*) from pipeline_event),
                       (select count(*) from processed_event)""")) {
            rs.next();
            String[] names = {"deliveries", "rejected deliveries", "rejected deliveries with a body", "delivery events", "outbox events",
                    "image reports", "webhook secrets", "pipelines", "pipeline nodes", "pipeline events", "processed events"};
            for (int i = 0; i < names.length; i++) {
                counts.put(names[i], rs.getLong(i + 1));
            }
        }
        return counts;
    }

    /** What was stored as a delivery (not a rejection) during this property, for the failure message. */
    private List<String> storedSince() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (var ps = database.prepareStatement("""
                select sender, status, coalesce(reason, ''), coalesce(headers, ''), coalesce(encode(substring(body from 1 for 300), 'escape'), '')
                from delivery where received_at >= ? and status <> 'rejected' order by received_at limit 20""")) {
            ps.setObject(1, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " (" + rs.getString(3) + ") " + rs.getString(4) + " " + rs.getString(5));
                }
            }
        }
        return rows;
    }
}
