package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.DatabaseRows;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.TopicWindow;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.TestSecrets;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Each webhook redelivered three times: acted on once", for every sender. Each delivery starts from the sender's
 * real payload (captured from it; the documented shape where there is none) with a new commit, event id or digest, so
 * that no other test's delivery is its original; it is then sent four times as that sender sends a redelivery: the
 * same bytes, the headers the sender keeps, new values for those it changes per attempt. Every attempt is answered
 * with a success, one delivery is stored (with its body) and acted on, the three copies are recorded as its
 * duplicates, and exactly one event reaches the topic.
 *
 * <p>Senders without a delivery id are known by what they send: Gitea, Forgejo, the generic hook, GitLab without
 * Idempotency-Key and Bitbucket without X-Request-UUID by repository, ref(s) and commit(s); Distribution by its
 * events' ids; Harbor by what was pushed (image, tag and digest; a resend has a new time); Docker Hub by repository,
 * tag and push time; Quay by its image and tags; ACR, Artifactory and GHCR by image, tag and digest; Nexus by image and
 * tag. Docker Hub, Quay and Nexus report no digest: the intake adds the digest the registry reports to their key, asked
 * of a real registry on the port the test configuration names for docker.io, quay.io and the Nexus registry.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class RedeliveryTests {

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
    record Sender(String topic, Preparer prepare, BiFunction<Fresh, Integer, WebhookDelivery> attempt, Mark mark) {
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
            case "ghcr registry_package" -> image(Fresh::next, (f, n) -> ghcrRegistryPackage(f));
            case "acr" -> image(Fresh::next, RedeliveryTests::acr);
            case "nexus" -> image(() -> pushed("acme/app", null), RedeliveryTests::nexus);
            case "artifactory" -> image(Fresh::next, RedeliveryTests::artifactory);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Sender git(BiFunction<Fresh, Integer, WebhookDelivery> attempt) {
        return new Sender(Topics.SOURCE, Fresh::next, attempt, Fresh::commit);
    }

    static Sender image(Preparer prepare, BiFunction<Fresh, Integer, WebhookDelivery> attempt) {
        return new Sender(Topics.IMAGE_REPORTS, prepare, attempt, Fresh::digest);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"github", "gitlab", "gitlab without Idempotency-Key", "gitea", "forgejo", "bitbucket",
            "bitbucket without X-Request-UUID", "generic", "distribution", "dockerhub", "harbor", "quay", "ghcr", "ghcr registry_package",
            "acr", "nexus", "artifactory"})
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
        WebhookDelivery notification = quay(one);
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
        String body = WebhookPayloads.text(fixture);
        assertThat(body).as(fixture).contains(commit);
        return WebhookPayloads.utf8(body.replace(commit, fresh));
    }

    /** GitHub keeps the delivery id (and hook id) when a delivery is redelivered. */
    static WebhookDelivery github(Fresh f) {
        byte[] body = withCommit("github/push.json", WebhookPayloads.GITHUB_PUSH_COMMIT, f.commit());
        return WebhookDelivery.github("push", f.id(), TestSecrets.GITHUB, body).withHeader("User-Agent", "GitHub-Hookshot/044aadd");
    }

    /** GitLab keeps Idempotency-Key across resends; X-Gitlab-Webhook-UUID is new on each. Older GitLab sends no key. */
    static WebhookDelivery gitlab(Fresh f, boolean idempotencyKey) {
        byte[] body = withCommit("gitlab/push-event.json", WebhookPayloads.GITLAB_PUSH_COMMIT, f.commit());
        WebhookDelivery delivery = WebhookDelivery.gitlab(TestSecrets.GITLAB, body)
                .withHeader("X-Gitlab-Webhook-UUID", UUID.randomUUID().toString())
                .withHeader("X-Gitlab-Instance", "https://gitlab.example.com");
        return idempotencyKey ? delivery.withHeader("Idempotency-Key", f.id()) : delivery;
    }

    /** Gitea and Forgejo give every redelivery a new delivery id: the push itself (repository, ref, after) is the identity. */
    static WebhookDelivery gitea(Fresh f, String product) {
        byte[] body = withCommit("gitea/push-real.json", WebhookPayloads.GITEA_PUSH_COMMIT, f.commit());
        return WebhookDelivery.gitea(product, UUID.randomUUID().toString(), TestSecrets.GITEA, body);
    }

    /** Bitbucket keeps X-Request-UUID and counts attempts; without the header, the refs and hashes pushed are the identity. */
    static WebhookDelivery bitbucket(Fresh f, int attempt, boolean requestUuid) {
        byte[] body = withCommit("bitbucket/push-real.json", WebhookPayloads.BITBUCKET_PUSH_COMMIT, f.commit());
        WebhookDelivery delivery = WebhookDelivery.bitbucket(TestSecrets.BITBUCKET, body)
                .withHeader("X-Hook-UUID", "{0e2e4c5c-5f2a-4f1e-9f3e-1b8f0c9d2a11}")
                .withHeader("X-Attempt-Number", Integer.toString(attempt));
        return requestUuid ? delivery.withHeader("X-Request-UUID", f.id()) : delivery;
    }

    /** The OpenShift generic webhook body (there is no fixture of it): the same uri, ref and commit is the same push. */
    static WebhookDelivery generic(Fresh f) {
        return WebhookDelivery.generic(TestSecrets.GENERIC, WebhookPayloads.utf8(WebhookPayloads.generic(f.commit())));
    }

    /** The registry retries the same envelope, byte for byte; its events' ids are the identity. */
    static WebhookDelivery distribution(Fresh f) {
        String body = WebhookPayloads.text("distribution/push-manifest-tagged.json")
                .replace(WebhookPayloads.DISTRIBUTION_EVENT_ID, f.id())
                .replace(WebhookPayloads.DISTRIBUTION_DIGEST, f.digest());
        return WebhookDelivery.distribution(TestSecrets.DISTRIBUTION, WebhookPayloads.utf8(body));
    }

    /** Docker Hub's notification of a push (the fixture) at a time of its own; the digest is the registry's. */
    static WebhookDelivery dockerhub(Fresh f) {
        String body = WebhookPayloads.text("docker/docker_hub_build_notice.json")
                .replace("\"pushed_at\": 1.417566161e+09", "\"pushed_at\": " + f.time());
        assertThat(body).contains("\"pushed_at\": " + f.time());
        return WebhookDelivery.unsigned("dockerhub", WebhookPayloads.utf8(body));
    }

    /** Harbor's default payload; a resend carries a new time, and what was pushed is the identity. */
    static WebhookDelivery harbor(Fresh f, int attempt) {
        return WebhookDelivery.harbor(TestSecrets.HARBOR, WebhookPayloads.utf8(WebhookPayloads.harborPush(f.time() + attempt, f.digest())));
    }

    /** Quay's "push to repository" notification: the tags it updated, nothing else that tells two pushes apart. */
    static WebhookDelivery quay(Fresh f) {
        return WebhookDelivery.unsigned("quay", WebhookPayloads.utf8(WebhookPayloads.quayPush(f.repository(), f.tag())));
    }

    /** GitHub's package event for a container version, signed and redelivered as every GitHub webhook is. */
    static WebhookDelivery ghcr(Fresh f) {
        return WebhookDelivery.ghcr(f.id(), TestSecrets.GITHUB, WebhookPayloads.utf8(WebhookPayloads.ghcrPublished(f.digest())));
    }

    /** GitHub's registry_package event of the same kind of push: the same package object under another field. */
    static WebhookDelivery ghcrRegistryPackage(Fresh f) {
        String body = WebhookPayloads.text("github/registry_package-published.json").replace(WebhookPayloads.GHCR_PACKAGE_DIGEST, f.digest());
        return WebhookDelivery.ghcr("registry_package", f.id(), TestSecrets.GITHUB, WebhookPayloads.utf8(body));
    }

    /** ACR's documented push event; each resend under an event id of its own, so what was pushed is the identity. */
    static WebhookDelivery acr(Fresh f, int attempt) {
        String body = WebhookPayloads.text("acr/push.json").replace(WebhookPayloads.ACR_DIGEST, f.digest())
                .replace("cb8c3971-9adc-488b-0000-43cbb4974ff5", f.id() + "-" + attempt);
        return WebhookDelivery.acr(TestSecrets.ACR, WebhookPayloads.utf8(body));
    }

    /**
     * Nexus's component event of the tag pushed, each attempt with a delivery id of its own and the same bytes; every
     * other attempt is the asset event of the tag's manifest, which Nexus sends for the same push.
     */
    static WebhookDelivery nexus(Fresh f, int attempt) {
        String component = WebhookPayloads.text("nexus/component-docker.json").replace("\"1.4\"", "\"" + f.tag() + "\"");
        String asset = """
                {"timestamp":"2024-03-12T09:41:07.611+0000","nodeId":"52905B51-085CCABB-CEBBEAAD-16795588-FC927D93",
                 "initiator":"admin/10.0.0.7","repositoryName":"docker-hosted","action":"CREATED",
                 "asset":{"id":"9b0f1c3e","assetId":"ZG9ja2VyLWhvc3RlZDo5YjBmMWMzZQ","format":"docker","name":"v2/%s/manifests/%s"}}
                """.formatted(f.repository(), f.tag());
        return attempt % 2 == 1
                ? WebhookDelivery.nexus("rm:repository:component", UUID.randomUUID().toString(), TestSecrets.NEXUS, WebhookPayloads.utf8(component))
                : WebhookDelivery.nexus("rm:repository:asset", UUID.randomUUID().toString(), TestSecrets.NEXUS, WebhookPayloads.utf8(asset));
    }

    /** Artifactory's documented docker push; the webhook's secret sent as it is, and on every other attempt as a signature. */
    static WebhookDelivery artifactory(Fresh f, int attempt) {
        String body = WebhookPayloads.text("artifactory/docker-pushed.json")
                .replace(WebhookPayloads.ARTIFACTORY_DIGEST.substring("sha256:".length()), f.digest().substring("sha256:".length()));
        return WebhookDelivery.artifactory(TestSecrets.ARTIFACTORY, attempt % 2 == 0, WebhookPayloads.utf8(body));
    }

    /** Pushes a new image (to a fresh tag unless one is given) to the registry standing in for docker.io, quay.io and Nexus. */
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

    static long count(String sql, Object... args) throws SQLException {
        return DatabaseRows.count(CascadeInfraResource.infra(), "trigger", sql, args);
    }

    static List<List<Object>> rows(String sql, Object... args) throws SQLException {
        return DatabaseRows.rows(CascadeInfraResource.infra(), "trigger", sql, args);
    }
}
