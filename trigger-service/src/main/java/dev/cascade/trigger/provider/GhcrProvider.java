package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.image.ImageRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.Json;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * GitHub Container Registry pushes, as GitHub's {@code package} webhook event reports them: a container package
 * version published (or updated) under a tag, signed as every GitHub webhook is.
 */
@ApplicationScoped
public class GhcrProvider implements WebhookProvider {

    static final String DEFAULT_REGISTRY = "ghcr.io";

    private static final Set<String> PUSH_ACTIONS = Set.of("published", "updated");

    private final ObjectMapper mapper;

    public GhcrProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "ghcr";
    }

    @Override
    public Kind kind() {
        return Kind.REGISTRY;
    }

    @Override
    public Set<String> mediaTypes() {
        return Set.of("application/json");
    }

    @Override
    public String claimedSubject(WebhookRequest request) {
        try {
            JsonNode root = Json.lenient(mapper, request.body());
            if (root == null) {
                return null;
            }
            String namespace = namespace(root.path("package"));
            String name = Json.optionalText(root, "/package/name");
            return namespace == null || name == null ? null
                    : ImageRef.parse(registry(root.path("package")) + "/" + namespace + "/" + name.trim()).name();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Credential credential(WebhookRequest request) {
        String signature = request.header("X-Hub-Signature-256");
        if (signature == null || signature.isBlank()) {
            return new Credential.Missing("X-Hub-Signature-256");
        }
        String v = signature.trim();
        return new Credential.HmacSha256(v.regionMatches(true, 0, "sha256=", 0, 7) ? v.substring(7) : v);
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-GitHub-Event");
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Event header is missing");
        }
        String delivery = request.header("X-GitHub-Delivery");
        if (delivery == null || delivery.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Delivery header is missing");
        }
        // GitHub keeps both on a manual redelivery, and the delivery id alone is only unique per hook
        String hookId = request.header("X-GitHub-Hook-ID");
        String dedupKey = (hookId == null ? "" : hookId.trim()) + ":" + delivery.trim();
        event = event.trim();
        if (!event.equals("package")) {
            return ParsedDelivery.ignored(event, dedupKey, claimedSubject(request),
                    event.equals("ping") ? "ping: nothing to do" : "event '" + event + "' is not a package event");
        }

        JsonNode root = Json.object(mapper, request.body());
        String action = Json.text(root, "/action");
        JsonNode pkg = root.get("package");
        if (pkg == null || !pkg.isObject()) {
            throw new MalformedWebhookException("field /package must be an object");
        }
        String type = Json.optionalText(pkg, "/package_type");
        if (type == null) {
            type = Json.optionalText(pkg, "/ecosystem");
        }
        String subject = claimedSubject(request);
        if (type == null || !type.trim().equalsIgnoreCase("container")) {
            return ParsedDelivery.ignored(event, dedupKey, subject,
                    "package type " + (type == null ? "(none)" : type) + " is not a container image");
        }
        if (!PUSH_ACTIONS.contains(action)) {
            return ParsedDelivery.ignored(event, dedupKey, subject, "package action '" + action + "' is not a publish");
        }
        String tag = Json.optionalText(pkg, "/package_version/container_metadata/tag/name");
        if (tag == null || tag.isBlank()) {
            // an untagged version (a platform image of a multi-arch push, or a push by digest): no tag moved
            return ParsedDelivery.ignored(event, dedupKey, subject, "package version has no tag");
        }
        String name = Json.text(pkg, "/name").trim();
        String namespace = namespace(pkg);
        if (namespace == null) {
            throw new MalformedWebhookException("missing or empty field /package/namespace");
        }
        String digest = digest(pkg);
        ImageRef ref;
        try {
            ref = ImageRef.parse(registry(pkg) + "/" + namespace + "/" + name + ":" + tag.trim() + (digest == null ? "" : "@" + digest));
        } catch (IllegalArgumentException e) {
            throw new MalformedWebhookException("invalid image reference: " + e.getMessage());
        }
        ImageCandidate image = new ImageCandidate(ref.registry(), ref.repository(), ref.tag(), ref.digest(), null);
        return ParsedDelivery.images(event, dedupKey, ref.name(), List.of(image));
    }

    /** The owner as image names spell it: GitHub logins keep their case, image names are lower case. */
    private static String namespace(JsonNode pkg) {
        String namespace = Json.optionalText(pkg, "/namespace");
        if (namespace == null || namespace.isBlank()) {
            namespace = Json.optionalText(pkg, "/owner/login");
        }
        return namespace == null || namespace.isBlank() ? null : namespace.trim().toLowerCase(Locale.ROOT);
    }

    /** The tag's digest, else the version's name, which is the digest for container versions; null when neither is. */
    private static String digest(JsonNode pkg) {
        String digest = Json.optionalText(pkg, "/package_version/container_metadata/tag/digest");
        if (digest != null && !digest.isBlank()) {
            return digest.trim();
        }
        String version = Json.optionalText(pkg, "/package_version/version");
        return version != null && version.startsWith("sha256:") ? version.trim() : null;
    }

    /** The host of {@code package.registry.url} ({@code https://ghcr.io}); ghcr.io when it names none. */
    private static String registry(JsonNode pkg) {
        String url = Json.optionalText(pkg, "/registry/url");
        if (url != null && !url.isBlank()) {
            try {
                URI uri = URI.create(url.trim());
                String host = uri.getHost() == null ? null : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
                // a bare name would read as a Docker Hub namespace in an image reference
                if (host != null && (host.contains(".") || host.contains(":") || host.equals("localhost"))) {
                    return host;
                }
            } catch (IllegalArgumentException e) {
                // not a URL: GitHub's own registry is meant
            }
        }
        return DEFAULT_REGISTRY;
    }
}
