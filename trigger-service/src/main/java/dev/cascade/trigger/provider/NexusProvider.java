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
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Sonatype Nexus Repository "Webhook: Repository" deliveries of component and asset events, signed with an
 * HMAC-SHA1 of the body in {@code X-Nexus-Webhook-Signature}. A docker component's name is the image and its version
 * the tag; Nexus sends no digest (the intake resolves it from the registry) and names its repository, not the registry
 * host that serves it, which is configured ({@code cascade.webhooks.nexus.registries}).
 */
@Singleton
public class NexusProvider extends RegistrySender {

    static final String EVENT_HEADER = "X-Nexus-Webhook-Id";
    static final String COMPONENT = "rm:repository:component";
    static final String ASSET = "rm:repository:asset";

    private static final Set<String> PUSH_ACTIONS = Set.of("CREATED", "UPDATED");

    private final RepositoryRegistries registries;

    @Inject
    public NexusProvider(ObjectMapper mapper, WebhookConfig config) {
        this(mapper, RepositoryRegistries.of(config, "nexus"));
    }

    NexusProvider(ObjectMapper mapper, RepositoryRegistries registries) {
        super(mapper, "nexus", Set.of("application/json"));
        this.registries = registries;
    }

    @Override
    String subject(JsonNode root) {
        String registry = registries.registry(Json.optionalText(root, "/repositoryName"));
        String name = Json.optionalText(root, "/component/name");
        return registry == null || name == null ? null : ImageRef.parse(registry + "/" + name.trim()).name();
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.hmacSha1Header(request, "X-Nexus-Webhook-Signature");
    }

    /**
     * The de-duplication key of a push is {@code registry/image:tag} and the digest the intake resolves: Nexus sends a
     * component event and an asset event (the tag's manifest) for one push when both are enabled, each with its own
     * delivery id, and they are one push. Other events are keyed by their delivery id.
     */
    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header(EVENT_HEADER);
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException(EVENT_HEADER + " header is missing");
        }
        event = event.trim();
        JsonNode root = object(request);
        String delivery = request.header("X-Nexus-Webhook-Delivery");
        String otherKey = delivery == null || delivery.isBlank() ? bodyKey(event, request.body()) : event + ":" + delivery.trim();
        if (!event.equals(COMPONENT) && !event.equals(ASSET)) {
            return ParsedDelivery.ignored(event, otherKey, claimedSubject(request), "event " + abbreviate(event) + " is not a component or asset event");
        }
        String repositoryName = Json.text(root, "/repositoryName").trim();
        String action = Json.text(root, "/action").trim();
        String field = event.equals(COMPONENT) ? "component" : "asset";
        JsonNode item = root.get(field);
        if (item == null || !item.isObject()) {
            throw new MalformedWebhookException("field /" + field + " must be an object");
        }
        String format = Json.text(item, "/format").trim();
        String name = Json.text(item, "/name").trim();
        String version = event.equals(COMPONENT) ? Json.text(item, "/version").trim() : null;
        String subject = claimedSubject(request);
        if (!format.equals("docker")) {
            return ParsedDelivery.ignored(event, otherKey, subject, field + " format " + abbreviate(format) + " is not docker");
        }
        if (!PUSH_ACTIONS.contains(action.toUpperCase(Locale.ROOT))) {
            return ParsedDelivery.ignored(event, otherKey, subject, field + " action " + abbreviate(action) + " is not a push");
        }
        String image = name;
        String tag = version;
        if (event.equals(ASSET)) {
            // a tag's manifest is stored as the asset v2/<image>/manifests/<tag>; layers, and manifests by digest, move no tag
            String path = name.startsWith("/") ? name.substring(1) : name;
            int manifests = path.lastIndexOf("/manifests/");
            if (!path.startsWith("v2/") || manifests < 3 || path.substring(manifests + 11).contains(":")) {
                return ParsedDelivery.ignored(event, otherKey, subject, "asset is no tag's manifest");
            }
            image = path.substring(3, manifests);
            tag = path.substring(manifests + 11);
        }
        String registry = registries.registry(repositoryName);
        if (registry == null) {
            return ParsedDelivery.ignored(event, otherKey, subject, "no registry is configured for Nexus repository " + abbreviate(repositoryName));
        }
        ImageCandidate candidate = candidate(registry + "/" + image + ":" + tag, null);
        return ParsedDelivery.images(event, pushKey(candidate), name(candidate), List.of(candidate));
    }
}
