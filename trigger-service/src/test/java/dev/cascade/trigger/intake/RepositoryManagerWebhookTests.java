package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.DatabaseRows;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.TestSecrets;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Azure Container Registry, Nexus and Artifactory deliveries through the HTTP endpoint, and GitHub's two events of one
 * container push: what each sender's proof must be, what a refused delivery leaves, and that one push reported twice
 * is acted on once. Nexus sends no digest: a real registry on the port the test configuration names for its registry
 * holds the images it reports.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class RepositoryManagerWebhookTests {

    static final SecureRandom RANDOM = new SecureRandom();

    static LocalRegistry registry;
    static Buildah buildah;
    static Path work;

    @BeforeAll
    static void startRegistry() throws Exception {
        work = Files.createTempDirectory("repository-managers");
        // the port %test.cascade.registry.endpoints names for the Nexus registry
        registry = LocalRegistry.start(work.resolve("registry"), null, null, 25397);
        buildah = new Buildah(work.resolve("buildah"));
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    static String freshDigest() {
        byte[] digest = new byte[32];
        RANDOM.nextBytes(digest);
        return "sha256:" + HexFormat.of().formatHex(digest);
    }

    static String freshTag() {
        return "t" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /** Pushes a new image to acme/app under {@code tag} in the registry that serves Nexus's docker-hosted; its digest. */
    static String pushed(String tag) throws Exception {
        Path ctx = Files.createDirectories(work.resolve("ctx-" + tag));
        Files.writeString(ctx.resolve("f"), tag);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
        return buildah.buildAndPush(ctx, registry.host() + "/acme/app:" + tag);
    }

    static byte[] acrPush(String digest) {
        return WebhookPayloads.utf8(WebhookPayloads.text("acr/push.json").replace(WebhookPayloads.ACR_DIGEST, digest));
    }

    static byte[] nexusComponent(String tag) {
        return WebhookPayloads.utf8(WebhookPayloads.text("nexus/component-docker.json").replace("\"1.4\"", "\"" + tag + "\""));
    }

    static byte[] artifactoryPush(String digest) {
        return WebhookPayloads.utf8(WebhookPayloads.text("artifactory/docker-pushed.json")
                .replace(WebhookPayloads.ARTIFACTORY_DIGEST.substring(7), digest.substring(7)));
    }

    static byte[] ghcr(String event, String digest) {
        return WebhookPayloads.utf8(WebhookPayloads.text("github/" + event + "-published.json").replace(WebhookPayloads.GHCR_PACKAGE_DIGEST, digest));
    }

    /** The stored rejection of a refused delivery: no body, and the reason. */
    static void recordedAsRejected(String deliveryId, String reason) throws SQLException {
        assertThat(rows("select status, body is null, reason from delivery where id = ?", UUID.fromString(deliveryId)))
                .containsExactly(List.of("rejected", true, reason));
    }

    @Test
    void acrPushWithTheConfiguredAuthorizationIsAcceptedAndAWrongOrMissingOneRefused() throws SQLException {
        String digest = freshDigest();
        String refused = WebhookDelivery.acr("not-the-token", acrPush(digest)).post()
                .statusCode(401).contentType("application/problem+json").body("detail", containsString("token does not match"))
                .extract().path("detail");
        recordedAsRejected(refused.substring(refused.lastIndexOf(' ') + 1, refused.length() - 1), "token does not match");
        new WebhookDelivery("/webhooks/registry/acr", WebhookDelivery.JSON, java.util.Map.of(), acrPush(digest)).post()
                .statusCode(401).body("detail", containsString("Authorization is missing"));

        String pipeline = WebhookDelivery.acr(TestSecrets.ACR, acrPush(digest)).post()
                .statusCode(202).body("status", equalTo("ACCEPTED")).body("pipelineId", notNullValue()).extract().path("pipelineId");
        assertThat(rows("select payload from outbox_event where event_id = ?", UUID.fromString(pipeline)).get(0).get(0).toString())
                .contains("\"image\":\"myregistry.azurecr.io/hello-world:v1\"").contains(digest);
    }

    @Test
    void nexusSignatureMustBeTheHmacSha1OfTheBodyUnderTheSecret() throws Exception {
        String tag = freshTag();
        String digest = pushed(tag);
        byte[] body = nexusComponent(tag);
        WebhookDelivery.nexus("rm:repository:component", UUID.randomUUID().toString(), "another-secret", body).post()
                .statusCode(401).body("detail", containsString("signature does not match the body"));
        // GitHub's kind of signature (HMAC-SHA256) of the same body under the right secret is no Nexus signature
        WebhookDelivery.nexus("rm:repository:component", UUID.randomUUID().toString(), TestSecrets.NEXUS, body)
                .withHeader("X-Nexus-Webhook-Signature", WebhookDelivery.hmacSha256Hex(TestSecrets.NEXUS, body)).post()
                .statusCode(401);

        String pipeline = WebhookDelivery.nexus("rm:repository:component", UUID.randomUUID().toString(), TestSecrets.NEXUS, body).post()
                .statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("pipelineId");
        // the digest Nexus does not send is the one the registry reports for the tag
        assertThat(rows("select payload from outbox_event where event_id = ?", UUID.fromString(pipeline)).get(0).get(0).toString())
                .contains("\"image\":\"nexus.example.com:8443/acme/app:" + tag + "\"").contains("\"digest\":\"" + digest + "\"");
    }

    @Test
    void artifactoryTakesItsSecretAsItIsOrAsASignatureAndNeverStoresIt() throws SQLException {
        String digest = freshDigest();
        WebhookDelivery.artifactory("another-secret", false, artifactoryPush(digest)).post().statusCode(401);
        WebhookDelivery.artifactory("another-secret", true, artifactoryPush(digest)).post().statusCode(401);

        String plain = WebhookDelivery.artifactory(TestSecrets.ARTIFACTORY, false, artifactoryPush(digest)).post()
                .statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("deliveryId");
        String other = freshDigest();
        String signed = WebhookDelivery.artifactory(TestSecrets.ARTIFACTORY, true, artifactoryPush(other)).post()
                .statusCode(202).body("status", equalTo("ACCEPTED")).extract().path("deliveryId");
        for (String id : List.of(plain, signed)) {
            String headers = (String) rows("select headers from delivery where id = ?", UUID.fromString(id)).get(0).get(0);
            assertThat(headers).doesNotContainIgnoringCase("x-jfrog-event-auth").doesNotContain(TestSecrets.ARTIFACTORY);
        }
        assertThat(count("select count(*) from delivery where sender = 'artifactory' and status = 'rejected' and body is not null")).isZero();
    }

    /**
     * GitHub reports one container push as a {@code package} and a {@code registry_package} event, each with its own
     * delivery id: whichever comes first is acted on, the other is its duplicate, in either order.
     */
    @Test
    void aPushReportedAsBothPackageEventsIsActedOnOnce() throws SQLException {
        for (List<String> order : List.of(List.of("package", "registry_package"), List.of("registry_package", "package"))) {
            String digest = freshDigest();
            var first = WebhookDelivery.ghcr(order.get(0), UUID.randomUUID().toString(), TestSecrets.GITHUB, ghcr(order.get(0), digest)).post()
                    .statusCode(202).body("status", equalTo("ACCEPTED")).extract();
            String pipeline = first.path("pipelineId");
            WebhookDelivery.ghcr(order.get(1), UUID.randomUUID().toString(), TestSecrets.GITHUB, ghcr(order.get(1), digest)).post()
                    .statusCode(200).body("status", equalTo("DUPLICATE"))
                    .body("duplicateOf", equalTo(first.path("deliveryId")))
                    .body("pipelineId", equalTo(pipeline));
            assertThat(count("select count(*) from outbox_event where payload like ?", "%" + digest + "%")).as("%s", order).isEqualTo(1);
            assertThat(rows("select event_name, status from delivery where sender = 'ghcr' and (id = ? or duplicate_of = ?) order by received_at",
                    UUID.fromString(first.path("deliveryId")), UUID.fromString(first.path("deliveryId"))))
                    .containsExactly(List.of(order.get(0), "accepted"), List.of(order.get(1), "duplicate"));
        }
    }

    static long count(String sql, Object... args) throws SQLException {
        return DatabaseRows.count(CascadeInfraResource.infra(), "trigger", sql, args);
    }

    static List<List<Object>> rows(String sql, Object... args) throws SQLException {
        return DatabaseRows.rows(CascadeInfraResource.infra(), "trigger", sql, args);
    }
}
