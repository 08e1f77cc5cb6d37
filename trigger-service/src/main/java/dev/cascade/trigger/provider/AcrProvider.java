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
import java.util.List;
import java.util.Set;

/**
 * Azure Container Registry webhooks: one event per POST ({@code action}, {@code target} with repository, tag,
 * digest and media type, {@code request.host}). ACR signs nothing; it sends the custom headers set on the webhook,
 * so the webhook is set to send {@code Authorization: Bearer <secret>}, checked as a shared token.
 */
@Singleton
public class AcrProvider extends RegistrySender {

    static final String PUSH = "push";

    public AcrProvider(ObjectMapper mapper) {
        super(mapper, "acr", Set.of("application/json"));
    }

    @Override
    String subject(JsonNode root) {
        String host = Json.optionalText(root, "/request/host");
        String repository = Json.optionalText(root, "/target/repository");
        return host == null || repository == null ? null : ImageRef.parse(host.trim() + "/" + repository.trim()).name();
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.authorization(request);
    }

    /**
     * The de-duplication key is what was pushed ({@code registry/repository:tag@digest}): the event id is the only
     * other candidate, and nothing says a resend keeps it. Deletions, Helm chart events, quarantine and pings (an
     * event of its own kind) are stored as ignored under their event id, or their bytes when they have none.
     */
    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        String action = Json.text(root, "/action").trim();
        if (!action.equals(PUSH)) {
            String id = Json.optionalText(root, "/id");
            return ParsedDelivery.ignored(action, id == null || id.isBlank() ? bodyKey(action, request.body()) : action + ":" + id.trim(),
                    claimedSubject(request), "action '" + abbreviate(action) + "' is not an image push");
        }
        JsonNode target = root.get("target");
        if (target == null || !target.isObject()) {
            throw new MalformedWebhookException("field /target must be an object");
        }
        String repository = Json.text(target, "/repository").trim();
        String digest = Json.text(target, "/digest").trim();
        String host = stripScheme(Json.text(root, "/request/host"));
        if (!isRegistryHost(host) || host.contains("/")) {
            throw new MalformedWebhookException("request host '" + abbreviate(host) + "' is not a registry host");
        }
        String tag = Json.optionalText(target, "/tag");
        if (untagged(tag)) {
            // pushed by digest: no tag moved, so nothing built FROM a tag can be affected
            return ParsedDelivery.ignored(action, host + "/" + repository + "@" + digest, claimedSubject(request),
                    "untagged push: no tag moved");
        }
        String mediaType = Json.optionalText(target, "/mediaType");
        ImageCandidate image = candidate(host + "/" + repository + ":" + tag.trim() + "@" + digest,
                mediaType == null || mediaType.isBlank() ? null : mediaType.trim());
        return ParsedDelivery.images(action, pushKey(image), name(image), List.of(image));
    }
}
