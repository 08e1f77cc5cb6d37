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
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * GitHub Container Registry pushes, as GitHub's {@code package} and {@code registry_package} webhook events report
 * them (the same package object, under {@code package} or {@code registry_package}): a container package version
 * published (or updated) under a tag, signed as every GitHub webhook is. GitHub may send one push as both events,
 * each with its own delivery id; a push is keyed by its image, tag and digest, so the second is a duplicate.
 */
@Singleton
public class GhcrProvider extends RegistrySender {

    static final String DEFAULT_REGISTRY = "ghcr.io";

    private static final Set<String> PUSH_ACTIONS = Set.of("published", "updated");
    /** The events that report a package version, and the field each puts the package in. */
    private static final Set<String> PACKAGE_EVENTS = Set.of("package", "registry_package");

    public GhcrProvider(ObjectMapper mapper) {
        super(mapper, "ghcr", Set.of("application/json"));
    }

    @Override
    String subject(JsonNode root) {
        JsonNode pkg = root.has("registry_package") && !root.has("package") ? root.path("registry_package") : root.path("package");
        String namespace = namespace(pkg);
        String name = Json.optionalText(pkg, "/name");
        return namespace == null || name == null ? null
                : ImageRef.parse(registry(pkg) + "/" + namespace + "/" + name.trim()).name();
    }

    /** Signed as every GitHub webhook is. */
    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.hmacHeader(request, "X-Hub-Signature-256");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        GitHubDelivery delivery = GitHubDelivery.of(request);
        String dedupKey = delivery.dedupKey();
        String event = delivery.event().trim();
        if (!PACKAGE_EVENTS.contains(event)) {
            return ParsedDelivery.ignored(event, dedupKey, claimedSubject(request),
                    event.equals("ping") ? "ping: nothing to do" : "event '" + event + "' is not a package event");
        }

        JsonNode root = object(request);
        String action = Json.text(root, "/action");
        JsonNode pkg = root.get(event);
        if (pkg == null || !pkg.isObject()) {
            throw new MalformedWebhookException("field /" + event + " must be an object");
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
        if (untagged(tag)) {
            // an untagged version (a platform image of a multi-arch push, or a push by digest): no tag moved
            return ParsedDelivery.ignored(event, dedupKey, subject, "package version has no tag");
        }
        String name = Json.text(pkg, "/name").trim();
        String namespace = namespace(pkg);
        if (namespace == null) {
            throw new MalformedWebhookException("missing or empty field /" + event + "/namespace");
        }
        String digest = digest(pkg);
        ImageCandidate image = candidate(registry(pkg) + "/" + namespace + "/" + name + ":" + tag.trim()
                + (digest == null ? "" : "@" + digest), null);
        // the push, not the delivery, is the identity: its package and registry_package events have two delivery ids
        return ParsedDelivery.images(event, pushKey(image), name(image), List.of(image));
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
                if (host != null && isRegistryHost(host)) {
                    return host;
                }
            } catch (IllegalArgumentException e) {
                // not a URL: GitHub's own registry is meant
            }
        }
        return DEFAULT_REGISTRY;
    }
}
