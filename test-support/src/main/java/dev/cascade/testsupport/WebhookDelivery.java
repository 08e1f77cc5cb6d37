package dev.cascade.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One webhook delivery as its sender posts it to trigger-service: the path, the media type, the headers (the event
 * and delivery headers the sender sends, and its proof: an HMAC of the body, a token, or a secret in the path) and
 * the body. The factories sign as each sender signs; {@link #withHeader} adds what a test needs besides.
 */
public record WebhookDelivery(String path, String contentType, Map<String, String> headers, byte[] body) {

    public static final String JSON = "application/json";
    public static final String DISTRIBUTION_EVENTS_V1 = "application/vnd.docker.distribution.events.v1+json";
    /** The hook id of the GitHub repository webhook in the tests. */
    public static final String GITHUB_HOOK_ID = "4711";
    /** The hook id of the GitHub package webhook in the tests. */
    public static final String GHCR_HOOK_ID = "424242";

    public WebhookDelivery {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A GitHub repository event, signed with {@code secret} in {@code X-Hub-Signature-256}. */
    public static WebhookDelivery github(String event, String deliveryId, String secret, byte[] body) {
        return new WebhookDelivery("/webhooks/git/github", JSON, githubHeaders(event, GITHUB_HOOK_ID, deliveryId, secret, body), body);
    }

    /** GitHub's package event of a container registry (GHCR), signed as every GitHub webhook is. */
    public static WebhookDelivery ghcr(String deliveryId, String secret, byte[] body) {
        return ghcr("package", deliveryId, secret, body);
    }

    /** GitHub's {@code package} or {@code registry_package} event of a container registry (GHCR). */
    public static WebhookDelivery ghcr(String event, String deliveryId, String secret, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/ghcr", JSON, githubHeaders(event, GHCR_HOOK_ID, deliveryId, secret, body), body);
    }

    /** A GitLab push hook with its secret token. */
    public static WebhookDelivery gitlab(String token, byte[] body) {
        return new WebhookDelivery("/webhooks/git/gitlab", JSON, Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", token), body);
    }

    /**
     * A Gitea or Forgejo ({@code product}) push, signed in the product's own signature header and, as both send it
     * too, in {@code X-Hub-Signature-256}.
     */
    public static WebhookDelivery gitea(String product, String deliveryId, String secret, byte[] body) {
        String hmac = hmacSha256Hex(secret, body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-" + product + "-Event", "push");
        headers.put("X-" + product + "-Event-Type", "push");
        headers.put("X-" + product + "-Delivery", deliveryId);
        headers.put("X-" + product + "-Signature", hmac);
        headers.put("X-Hub-Signature-256", "sha256=" + hmac);
        return new WebhookDelivery("/webhooks/git/gitea", JSON, headers, body);
    }

    /** A Bitbucket Cloud repository push, signed in {@code X-Hub-Signature}. */
    public static WebhookDelivery bitbucket(String secret, byte[] body) {
        return new WebhookDelivery("/webhooks/git/bitbucket", JSON,
                Map.of("X-Event-Key", "repo:push", "X-Hub-Signature", "sha256=" + hmacSha256Hex(secret, body)), body);
    }

    /** The OpenShift generic webhook, whose secret is the last segment of its path. */
    public static WebhookDelivery generic(String secret, byte[] body) {
        return new WebhookDelivery("/webhooks/git/generic/" + secret, JSON, Map.of(), body);
    }

    /** A CNCF Distribution registry's notification envelope, with its bearer token. */
    public static WebhookDelivery distribution(String token, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/distribution", DISTRIBUTION_EVENTS_V1, bearer(token), body);
    }

    /** A Harbor notification, with its bearer token. */
    public static WebhookDelivery harbor(String token, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/harbor", JSON, bearer(token), body);
    }

    /** An Azure Container Registry event, with the {@code Authorization} header its webhook is set to send. */
    public static WebhookDelivery acr(String token, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/acr", JSON, bearer(token), body);
    }

    /**
     * A Nexus Repository webhook delivery of {@code event} ({@code rm:repository:component}), signed with an
     * HMAC-SHA1 of the body in {@code X-Nexus-Webhook-Signature}.
     */
    public static WebhookDelivery nexus(String event, String deliveryId, String secret, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Nexus-Webhook-Id", event);
        headers.put("X-Nexus-Webhook-Delivery", deliveryId);
        headers.put("X-Nexus-Webhook-Signature", hmacHex("HmacSHA1", secret, body));
        return new WebhookDelivery("/webhooks/registry/nexus", JSON, headers, body);
    }

    /**
     * An Artifactory webhook delivery: {@code X-JFrog-Event-Auth} holds the secret itself or, for a webhook set to
     * sign its payload, the HMAC-SHA256 of the body.
     */
    public static WebhookDelivery artifactory(String secret, boolean signed, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/artifactory", JSON,
                Map.of("X-JFrog-Event-Auth", signed ? hmacSha256Hex(secret, body) : secret), body);
    }

    /** A notification of a registry that signs nothing ({@code dockerhub}, {@code quay}). */
    public static WebhookDelivery unsigned(String registry, byte[] body) {
        return new WebhookDelivery("/webhooks/registry/" + registry, JSON, Map.of(), body);
    }

    /** The same delivery with one more header, or with a header's value replaced. */
    public WebhookDelivery withHeader(String name, String value) {
        Map<String, String> changed = new LinkedHashMap<>(headers);
        changed.put(name, value);
        return new WebhookDelivery(path, contentType, changed, body);
    }

    /** The same delivery in another media type. */
    public WebhookDelivery withContentType(String changed) {
        return new WebhookDelivery(path, changed, headers, body);
    }

    /** The RestAssured request of this delivery, to post to {@link #path()} or to change further. */
    public RequestSpecification request() {
        RequestSpecification spec = given().contentType(contentType).body(body);
        headers.forEach(spec::header);
        return spec;
    }

    /** Posts the delivery to the service under test. */
    public ValidatableResponse post() {
        return request().post(path).then();
    }

    /** The hex HMAC-SHA256 of {@code body} under {@code secret}, as GitHub, Gitea and Bitbucket sign. */
    public static String hmacSha256Hex(String secret, byte[] body) {
        return hmacHex("HmacSHA256", secret, body);
    }

    /** The hex HMAC of {@code body} under {@code secret} with a JCA MAC algorithm: {@code HmacSHA256}, or Nexus's {@code HmacSHA1}. */
    public static String hmacHex(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> githubHeaders(String event, String hookId, String deliveryId, String secret, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Hook-ID", hookId);
        headers.put("X-GitHub-Delivery", deliveryId);
        headers.put("X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, body));
        return headers;
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
