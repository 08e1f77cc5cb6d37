package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.image.ImageRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.Json;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookConfig;
import dev.cascade.trigger.webhook.WebhookRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * JFrog Artifactory predefined webhooks of the docker domain: a {@code pushed} event names the repository key, the
 * image, the tag and the SHA-256 of the tag's manifest (its digest, required). Artifactory sends the webhook's secret in
 * {@code X-JFrog-Event-Auth}, as it is or, when the webhook is set to sign, as an HMAC-SHA256 of the body; either
 * is taken. An image is pulled as {@code <platform host>/<repository key>/<image>} unless another registry is
 * configured for its repository ({@code cascade.webhooks.artifactory.registries}).
 */
@Singleton
public class ArtifactoryProvider extends RegistrySender {

    static final String AUTH_HEADER = "X-JFrog-Event-Auth";

    private final RepositoryRegistries registries;

    @Inject
    public ArtifactoryProvider(ObjectMapper mapper, WebhookConfig config) {
        this(mapper, RepositoryRegistries.of(config, "artifactory"));
    }

    ArtifactoryProvider(ObjectMapper mapper, RepositoryRegistries registries) {
        super(mapper, "artifactory", Set.of("application/json"));
        this.registries = registries;
    }

    @Override
    String subject(JsonNode root) {
        String repoKey = Json.optionalText(root, "/data/repo_key");
        String image = Json.optionalText(root, "/data/image_name");
        return repoKey == null || image == null ? null : ImageRef.parse(registry(root, repoKey.trim()) + "/" + image.trim()).name();
    }

    @Override
    public Credential credential(WebhookRequest request) {
        String value = request.header(AUTH_HEADER);
        return value == null || value.isBlank() ? new Credential.Missing(AUTH_HEADER) : new Credential.SecretOrHmacSha256(value.trim());
    }

    /**
     * The de-duplication key is what was pushed ({@code registry/repository:tag@digest}): the payload carries no event
     * id, and a push that two webhooks report is one push.
     */
    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        String domain = Json.text(root, "/domain").trim();
        String eventType = Json.text(root, "/event_type").trim();
        String event = domain + "." + eventType;
        if (!domain.equals("docker") || !eventType.equals("pushed")) {
            return ParsedDelivery.ignored(event, bodyKey(event, request.body()), claimedSubject(request),
                    "event " + abbreviate(event) + " is not a docker push");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new MalformedWebhookException("field /data must be an object");
        }
        String repoKey = Json.text(data, "/repo_key").trim();
        String image = Json.text(data, "/image_name").trim();
        String tag = Json.text(data, "/tag").trim();
        // every pushed event carries the checksum of the tag's manifest, which is its digest: one without it is broken,
        // and is not sent to the registry to be asked
        String sha256 = Json.text(root, "/data/sha256").trim();
        if (sha256.isEmpty()) {
            throw new MalformedWebhookException("missing or empty field /data/sha256");
        }
        String digest = sha256.startsWith("sha256:") ? sha256 : "sha256:" + sha256;
        ImageCandidate candidate = candidate(registry(root, repoKey) + "/" + image + ":" + tag + "@" + digest, null);
        return ParsedDelivery.images(event, pushKey(candidate), name(candidate), List.of(candidate));
    }

    /** The registry configured for a repository key, else the platform's host ({@code jpd_origin}) with the key as the first path segment. */
    private String registry(JsonNode root, String repoKey) {
        String configured = registries.registry(repoKey);
        if (configured != null) {
            return configured;
        }
        String origin = Json.optionalText(root, "/jpd_origin");
        String host = null;
        if (origin != null && !origin.isBlank()) {
            try {
                URI uri = URI.create(origin.trim());
                host = uri.getHost() == null ? null : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            } catch (IllegalArgumentException e) {
                host = null;
            }
        }
        if (host == null || !isRegistryHost(host)) {
            throw new MalformedWebhookException("jpd_origin names no host, and no registry is configured for repository " + abbreviate(repoKey));
        }
        return host + "/" + repoKey;
    }
}
