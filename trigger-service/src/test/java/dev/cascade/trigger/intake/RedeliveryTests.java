package dev.cascade.trigger.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.cascade.common.events.Topics;
import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.trigger.Fixtures;
import dev.cascade.trigger.webhook.Signatures;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Each webhook redelivered three times: acted on once", for every sender. Each delivery starts from the sender's
 * real payload (shared fixtures; the documented shape where there is none) with a new commit, event id or digest, so
 * that no other test's delivery is its original; it is then sent four times as that sender sends a redelivery: the
 * same bytes, the headers the sender keeps, new values for those it changes per attempt. Every attempt is answered
 * with a success, one delivery is stored (with its body) and acted on, the three copies are recorded as its
 * duplicates, and exactly one event reaches the topic.
 *
 * <p>Senders without a delivery id are known by what they send: Gitea, Forgejo, the generic hook, GitLab without
 * Idempotency-Key and Bitbucket without X-Request-UUID by repository, ref(s) and commit(s); Distribution by its
 * events' ids; Harbor by what was pushed (image, tag and digest; a resend has a new time); Docker Hub by repository,
 * tag and push time; Quay by its image and tags. Docker Hub and Quay report no digest: the intake adds the digest the
 * registry reports to their key, asked of a real registry on the port the test configuration names for docker.io and
 * quay.io.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class RedeliveryTests {

    static final String GITHUB_SECRET = "It's a Secret to Everybody";
    static final String GITLAB_TOKEN = "gitlab-test-token-0123456789";
    static final String GITEA_SECRET = "gitea-test-secret-0123456789";
    static final String BITBUCKET_SECRET = "bitbucket-test-secret-0123456789";
    static final String GENERIC_SECRET = "generic-test-secret-0123456789";
    static final String DISTRIBUTION_TOKEN = "distribution-test-token-0123456789";
    static final String HARBOR_TOKEN = "harbor-test-token-0123456789";
    static final String EVENTS_V1 = "application/vnd.docker.distribution.events.v1+json";
    static final SecureRandom RANDOM = new SecureRandom();

    static LocalRegistry registry;
    static Buildah buildah;
    static Path work;

    @BeforeAll
    static void startRegistry() throws Exception {
        work = Files.createTempDirectory("redelivery");
        // the port %test.cascade.registry.endpoints names for docker.io and quay.io
        registry = LocalRegistry.start(work.resolve("registry"), null, null, 25397);
        buildah = new Buildah(work.resolve("buildah"));
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    /** One POST as a sender makes it. */
    record Request(String path, String contentType, Map<String, String> headers, byte[] body) {
        ValidatableResponse post() {
            RequestSpecification spec = given().contentType(contentType).body(body);
            headers.forEach(spec::header);
            return spec.post(path).then();
        }
    }

    /**
     * What makes a push new to this database: a commit, an id and an image digest never sent before, and the
     * repository and tag of an image (Quay names them; the others' are in their payloads).
     */
    record Fresh(String commit, String id, String digest, String repository, String tag, long time) {
        static Fresh next() {
            byte[] sha = new byte[20];
            RANDOM.nextBytes(sha);
            byte[] digest = new byte[32];
            RANDOM.nextBytes(digest);
            return new Fresh(HexFormat.of().formatHex(sha), UUID.randomUUID().toString(),
                    "sha256:" + HexFormat.of().formatHex(digest), "acme/redelivered",
                    "r" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE), 1_700_000_000L + (RANDOM.nextLong() & 0xffffff));
        }

        Fresh pushedAt(long later) {
            return new Fresh(commit, id, digest, repository, tag, later);
        }
    }

    /**
     * How one sender sends a delivery: attempt 1 is the original, 2 to 4 its redeliveries. {@code mark} is what its
     * event on {@code topic} carries and no other push does (the commit, or the digest).
     */
    record Sender(String topic, Preparer prepare, BiFunction<Fresh, Integer, Request> attempt, Mark mark) {
    }

    interface Preparer {
        /** Makes what the delivery reports real where the intake checks it (an image in the registry). */
        Fresh fresh() throws Exception;
    }

    interface Mark {
        String of(Fresh fresh);
    }

    static Sender sender(String name) {
        return switch (name) {
            case "github" -> git((f, n) -> github(f));
            case "gitlab" -> git((f, n) -> gitlab(f, true));
            case "gitlab without Idempotency-Key" -> git((f, n) -> gitlab(f, false));
            case "gitea" -> git((f, n) -> gitea(f, "Gitea"));
            case "forgejo" -> git((f, n) -> gitea(f, "Forgejo"));
            case "bitbucket" -> git((f, n) -> bitbucket(f, n, true));
            case "bitbucket without X-Request-UUID" -> git((f, n) -> bitbucket(f, n, false));
            case "generic" -> git((f, n) -> generic(f));
            case "distribution" -> image(Fresh::next, (f, n) -> distribution(f));
            case "dockerhub" -> image(() -> pushed("svendowideit/testhook", "latest"), (f, n) -> dockerhub(f));
            case "harbor" -> image(Fresh::next, RedeliveryTests::harbor);
            case "quay" -> image(() -> pushed("acme/redelivered", null), (f, n) -> quay(f));
            case "ghcr" -> image(Fresh::next, (f, n) -> ghcr(f));
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Sender git(BiFunction<Fresh, Integer, Request> attempt) {
        return new Sender(Topics.SOURCE, Fresh::next, attempt, Fresh::commit);
    }

    static Sender image(Preparer prepare, BiFunction<Fresh, Integer, Request> attempt) {
        return new Sender(Topics.IMAGE_REPORTS, prepare, attempt, Fresh::digest);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"github", "gitlab", "gitlab without Idempotency-Key", "gitea", "forgejo", "bitbucket",
            "bitbucket without X-Request-UUID", "generic", "distribution", "dockerhub", "harbor", "quay", "ghcr"})
    void deliveryRedeliveredThreeTimesIsAcknowledgedEveryTimeStoredOnceAndPublishedOnce(String name) throws Exception {
        Sender sender = sender(name);
        Fresh push = sender.prepare().fresh();
        String senderName = sender.attempt().apply(push, 1).path().split("/")[3];
        try (TopicWindow topic = TopicWindow.openAtEnd(sender.topic())) {
            long rowsBefore = count("select count(*) from delivery where sender = ?", senderName);

            ValidatableResponse first = sender.attempt().apply(push, 1).post()
                    .statusCode(202).body("status", equalTo("ACCEPTED")).body("pipelineId", notNullValue());
            UUID delivery = UUID.fromString(first.extract().path("deliveryId"));
            String pipeline = first.extract().path("pipelineId");
            for (int attempt = 2; attempt <= 4; attempt++) {
                sender.attempt().apply(push, attempt).post()
                        .statusCode(200)
                        .body("status", equalTo("DUPLICATE"))
                        .body("duplicateOf", equalTo(delivery.toString()))
                        .body("pipelineId", equalTo(pipeline))
                        .body("pipelineIds", contains(pipeline))
                        .body("deliveryId", not(equalTo(delivery.toString())));
            }

            // stored: the delivery once, with its body; each redelivery as a duplicate of it, without one
            assertThat(count("select count(*) from delivery where sender = ?", senderName)).isEqualTo(rowsBefore + 4);
            assertThat(rows("select status, body is not null, duplicate_of from delivery where id = ? or duplicate_of = ? order by received_at",
                    delivery, delivery)).containsExactly(
                    List.of("accepted", true, ""),
                    List.of("duplicate", false, delivery.toString()),
                    List.of("duplicate", false, delivery.toString()),
                    List.of("duplicate", false, delivery.toString()));
            assertThat(count("select count(*) from delivery where sender = ? and dedup_key = (select dedup_key from delivery where id = ?)"
                    + " and status in ('accepted', 'ignored')", senderName, delivery)).isEqualTo(1);
            // acted on once: one event in the outbox
            assertThat(count("select count(*) from delivery_event where delivery_id = ?", delivery)).isEqualTo(1);
            assertThat(count("select count(*) from outbox_event where pipeline_id = ?", UUID.fromString(pipeline))).isEqualTo(1);
            String key = (String) rows("select event_key from outbox_event where event_id = ?", UUID.fromString(pipeline)).get(0).get(0);

            // a later push about the same subject has the same key, so it is published after anything the copies caused
            Fresh later = sender.prepare().fresh();
            String marker = sender.attempt().apply(later, 1).post().statusCode(202).body("status", equalTo("ACCEPTED"))
                    .extract().path("pipelineId");
            List<ConsumerRecord<String, String>> published = topic.until(marker);
            List<ConsumerRecord<String, String>> forThisPush = published.stream()
                    .filter(r -> key.equals(r.key()) && r.value().contains(sender.mark().of(push)))
                    .toList();
            assertThat(forThisPush).hasSize(1);
            assertThat(CloudEventRecords.header(forThisPush.get(0).headers(), "ce_id")).isEqualTo(pipeline);
        }
    }

    /**
     * Quay sends no delivery id, no digest and nothing that changes between two pushes of one tag: only the digest
     * the tag points at tells a resend of a notification from the notification of a new push.
     */
    @Test
    void quayNotificationOfANewPushOfTheSameTagIsANewDeliveryAndItsResendIsADuplicate() throws Exception {
        Fresh one = pushed("acme/moving", "latest");
        Request notification = quay(one);
        String first = notification.post().statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("pipelineId");
        notification.post().statusCode(200).body("status", equalTo("DUPLICATE")).body("pipelineId", equalTo(first));

        Fresh two = pushed("acme/moving", "latest");
        assertThat(two.digest()).isNotEqualTo(one.digest());
        String second = notification.post().statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("pipelineId");
        assertThat(second).isNotEqualTo(first);
        notification.post().statusCode(200).body("status", equalTo("DUPLICATE")).body("pipelineId", equalTo(second));
        assertThat(rows("select payload from outbox_event where pipeline_id = ?", UUID.fromString(second)).get(0).get(0).toString())
                .contains("\"digest\":\"" + two.digest() + "\"");
    }

    /**
     * Docker Hub sends no delivery id and no digest, but the time of the push: a resend keeps it. A notification of
     * another push of a digest already reported is stored, and starts nothing.
     */
    @Test
    void dockerHubResendKeepsItsPushTimeAndAnotherNotificationOfTheSameDigestStartsNothing() throws Exception {
        Fresh push = pushed("svendowideit/testhook", "latest");
        String first = dockerhub(push).post().statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("pipelineId");
        dockerhub(push).post().statusCode(200).body("status", equalTo("DUPLICATE")).body("pipelineId", equalTo(first));

        dockerhub(push.pushedAt(push.time() + 60)).post().statusCode(202).body("status", equalTo("IGNORED"))
                .body("reason", equalTo("every image push in it was reported before"));
    }

    // ---- the senders -------------------------------------------------------------------------------------------

    /** A fixture with its commit id replaced everywhere by a fresh one. */
    static byte[] withCommit(String fixture, String commit, String fresh) {
        String body = new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8);
        assertThat(body).as(fixture).contains(commit);
        return body.replace(commit, fresh).getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** GitHub keeps the delivery id (and hook id) when a delivery is redelivered. */
    static Request github(Fresh f) {
        byte[] body = withCommit("github/push.json", "fd489864e7642b48eaad6e3f155c10e46810ec72", f.commit());
        return new Request("/webhooks/git/github", "application/json", headers(
                "X-GitHub-Event", "push", "X-GitHub-Hook-ID", "4711", "X-GitHub-Delivery", f.id(),
                "X-Hub-Signature-256", "sha256=" + Signatures.hmacSha256Hex(GITHUB_SECRET, body),
                "User-Agent", "GitHub-Hookshot/044aadd"), body);
    }

    /** GitLab keeps Idempotency-Key across resends; X-Gitlab-Webhook-UUID is new on each. Older GitLab sends no key. */
    static Request gitlab(Fresh f, boolean idempotencyKey) {
        byte[] body = withCommit("gitlab/push-event.json", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", f.commit());
        Map<String, String> headers = headers("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", GITLAB_TOKEN,
                "X-Gitlab-Webhook-UUID", UUID.randomUUID().toString(), "X-Gitlab-Instance", "https://gitlab.example.com");
        if (idempotencyKey) {
            headers.put("Idempotency-Key", f.id());
        }
        return new Request("/webhooks/git/gitlab", "application/json", headers, body);
    }

    /** Gitea and Forgejo give every redelivery a new delivery id: the push itself (repository, ref, after) is the identity. */
    static Request gitea(Fresh f, String product) {
        byte[] body = withCommit("gitea/push-real.json", "4522cbcefc20728a5b72b3a86af35e608622c514", f.commit());
        String hmac = Signatures.hmacSha256Hex(GITEA_SECRET, body);
        return new Request("/webhooks/git/gitea", "application/json", headers(
                "X-" + product + "-Event", "push", "X-" + product + "-Event-Type", "push",
                "X-" + product + "-Delivery", UUID.randomUUID().toString(),
                "X-" + product + "-Signature", hmac, "X-Hub-Signature-256", "sha256=" + hmac), body);
    }

    /** Bitbucket keeps X-Request-UUID and counts attempts; without the header, the refs and hashes pushed are the identity. */
    static Request bitbucket(Fresh f, int attempt, boolean requestUuid) {
        byte[] body = withCommit("bitbucket/push-real.json", "141977fedf5cf35aa290ac87d4b5177ac4cd9de1", f.commit());
        Map<String, String> headers = headers("X-Event-Key", "repo:push", "X-Hook-UUID", "{0e2e4c5c-5f2a-4f1e-9f3e-1b8f0c9d2a11}",
                "X-Attempt-Number", Integer.toString(attempt),
                "X-Hub-Signature", "sha256=" + Signatures.hmacSha256Hex(BITBUCKET_SECRET, body));
        if (requestUuid) {
            headers.put("X-Request-UUID", f.id());
        }
        return new Request("/webhooks/git/bitbucket", "application/json", headers, body);
    }

    /** The OpenShift generic webhook body (there is no fixture of it): the same uri, ref and commit is the same push. */
    static Request generic(Fresh f) {
        byte[] body = """
                {"type":"Git","git":{"uri":"https://github.com/openshift/ruby-hello-world.git","ref":"refs/heads/master",
                 "commit":"%s","author":{"name":"Jane Doe","email":"jane@example.com"},"message":"Update README"}}
                """.formatted(f.commit()).getBytes(StandardCharsets.UTF_8);
        return new Request("/webhooks/git/generic/" + GENERIC_SECRET, "application/json", Map.of(), body);
    }

    /** The registry retries the same envelope, byte for byte; its events' ids are the identity. */
    static Request distribution(Fresh f) {
        String body = new String(Fixtures.bytes("distribution/push-manifest-tagged.json"), StandardCharsets.UTF_8)
                .replace("cd9ab2fb-9d06-4b48-961e-8d2d589839cf", f.id())
                .replace("sha256:e83f76d2aac7cc72a6494758244b4f8333a3a30a3af6fef355d4f3a4bb73360e", f.digest());
        return new Request("/webhooks/registry/distribution", EVENTS_V1, headers("Authorization", "Bearer " + DISTRIBUTION_TOKEN),
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Docker Hub's notification of a push (the fixture) at a time of its own; the digest is the registry's. */
    static Request dockerhub(Fresh f) {
        String body = new String(Fixtures.bytes("docker/docker_hub_build_notice.json"), StandardCharsets.UTF_8)
                .replace("\"pushed_at\": 1.417566161e+09", "\"pushed_at\": " + f.time());
        assertThat(body).contains("\"pushed_at\": " + f.time());
        return new Request("/webhooks/registry/dockerhub", "application/json", Map.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    /** Harbor's default payload; a resend carries a new time, and what was pushed is the identity. */
    static Request harbor(Fresh f, int attempt) {
        byte[] body = """
                {"type":"PUSH_ARTIFACT","occur_at":%d,"operator":"admin",
                 "event_data":{
                   "resources":[{"digest":"%s","tag":"latest","resource_url":"harbor.example.com/library/app:latest"}],
                   "repository":{"date_created":1690000000,"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}
                """.formatted(f.time() + attempt, f.digest()).getBytes(StandardCharsets.UTF_8);
        return new Request("/webhooks/registry/harbor", "application/json", headers("Authorization", "Bearer " + HARBOR_TOKEN), body);
    }

    /** Quay's "push to repository" notification: the tags it updated, nothing else that tells two pushes apart. */
    static Request quay(Fresh f) {
        String name = f.repository().substring(f.repository().indexOf('/') + 1);
        byte[] body = """
                {"repository":"%1$s","namespace":"acme","name":"%2$s","docker_url":"quay.io/%1$s",
                 "homepage":"https://quay.io/repository/%1$s","updated_tags":["%3$s"]}
                """.formatted(f.repository(), name, f.tag()).getBytes(StandardCharsets.UTF_8);
        return new Request("/webhooks/registry/quay", "application/json", Map.of(), body);
    }

    /** GitHub's package event for a container version, signed and redelivered as every GitHub webhook is. */
    static Request ghcr(Fresh f) {
        byte[] body = """
                {"action":"published",
                 "package":{"id":101,"name":"app","namespace":"octo-org","ecosystem":"CONTAINER","package_type":"CONTAINER",
                   "owner":{"login":"octo-org","type":"Organization"},
                   "package_version":{"id":202,"version":"%1$s","name":"%1$s",
                     "container_metadata":{"tag":{"name":"v1","digest":"%1$s"},"labels":{},"manifest":{}},
                     "package_url":"ghcr.io/octo-org/app:v1"},
                   "registry":{"name":"GitHub Container Registry","type":"docker","url":"https://ghcr.io","vendor":"GitHub Inc"}},
                 "repository":{"full_name":"octo-org/app","clone_url":"https://github.com/octo-org/app.git"},
                 "sender":{"login":"octocat"}}
                """.formatted(f.digest()).getBytes(StandardCharsets.UTF_8);
        return new Request("/webhooks/registry/ghcr", "application/json", headers(
                "X-GitHub-Event", "package", "X-GitHub-Hook-ID", "424242", "X-GitHub-Delivery", f.id(),
                "X-Hub-Signature-256", "sha256=" + Signatures.hmacSha256Hex(GITHUB_SECRET, body)), body);
    }

    /** Pushes a new image (to a fresh tag unless one is given) to the registry standing in for docker.io and quay.io. */
    static Fresh pushed(String repository, String tag) throws Exception {
        Fresh f = Fresh.next();
        String t = tag == null ? f.tag() : tag;
        Path ctx = Files.createDirectories(work.resolve("ctx-" + f.id()));
        Files.writeString(ctx.resolve("f"), f.commit());
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
        String digest = buildah.buildAndPush(ctx, registry.host() + "/" + repository + ":" + t);
        return new Fresh(f.commit(), f.id(), digest, repository, t, f.time());
    }

    // ---- what was stored and published ---------------------------------------------------------------------------

    static Connection database() throws SQLException {
        InfraProcess infra = CascadeInfraResource.infra();
        return DriverManager.getConnection(infra.jdbcUrl("trigger"), infra.postgresUser(), infra.postgresUser());
    }

    static long count(String sql, Object... args) throws SQLException {
        return ((Number) rows(sql, args).get(0).get(0)).longValue();
    }

    /** Rows as lists of values; SQL null reads as "". */
    static List<List<Object>> rows(String sql, Object... args) throws SQLException {
        try (Connection c = database(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
                        Object value = rs.getObject(col);
                        row.add(value == null ? "" : value instanceof UUID u ? u.toString() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** The records a topic receives from the moment this is opened on. */
    static final class TopicWindow implements AutoCloseable {

        private final KafkaConsumer<String, String> consumer;
        private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

        private TopicWindow(KafkaConsumer<String, String> consumer) {
            this.consumer = consumer;
        }

        static TopicWindow openAtEnd(String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CascadeInfraResource.infra().kafkaBootstrapServers());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // the end offsets are resolved now, before anything is sent
            partitions.forEach(consumer::position);
            return new TopicWindow(consumer);
        }

        /** Everything published since opening, up to (at least) the event with CloudEvents id {@code eventId}. */
        List<ConsumerRecord<String, String>> until(String eventId) {
            await().atMost(Duration.ofSeconds(45)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(r -> eventId.equals(CloudEventRecords.header(r.headers(), "ce_id")));
            });
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
