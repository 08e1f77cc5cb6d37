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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quay (quay.io and Red Hat Quay) "Push to Repository" notifications: the tags a push updated, without digests
 * (the intake resolves them from the registry) and without any signature.
 */
@Singleton
public class QuayProvider extends RegistrySender {

    public QuayProvider(ObjectMapper mapper) {
        super(mapper, "quay", Set.of("application/json"));
    }

    // Quay sends no scheme in docker_url, but tolerating one costs nothing
    @Override
    String subject(JsonNode root) {
        String dockerUrl = Json.optionalText(root, "/docker_url");
        return dockerUrl == null ? null : ImageRef.parse(stripScheme(dockerUrl)).name();
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return new Credential.Unsigned();
    }

    /**
     * The de-duplication key is {@code docker_url:tag,tag…} (tags sorted): Quay sends no delivery id. It holds no
     * digest because the notification has none; the intake adds the digests once it has resolved them.
     */
    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        String dockerUrl = stripScheme(Json.text(root, "/docker_url"));
        int slash = dockerUrl.indexOf('/');
        if (slash <= 0 || slash == dockerUrl.length() - 1) {
            throw new MalformedWebhookException("docker_url '" + abbreviate(dockerUrl) + "' is not registry/namespace/repository");
        }
        String host = dockerUrl.substring(0, slash);
        if (!isRegistryHost(host)) {
            throw new MalformedWebhookException("docker_url '" + abbreviate(dockerUrl) + "' does not start with a registry host");
        }
        JsonNode updated = root.get("updated_tags");
        if (updated == null || !updated.isArray()) {
            throw new MalformedWebhookException("field /updated_tags must be an array of tags");
        }
        TreeSet<String> tags = new TreeSet<>();
        for (JsonNode tag : updated) {
            if (!tag.isTextual()) {
                throw new MalformedWebhookException("field /updated_tags must hold tags, not " + tag.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            if (!untagged(tag.asText())) {
                tags.add(tag.asText().trim());
            }
        }
        String dedupKey = dockerUrl + ":" + String.join(",", tags);
        if (tags.isEmpty()) {
            return ParsedDelivery.ignored("repo_push", dedupKey, claimedSubject(request), "no tag updated");
        }
        List<ImageCandidate> images = new ArrayList<>(tags.size());
        for (String tag : tags) {
            images.add(candidate(dockerUrl + ":" + tag, null));
        }
        return ParsedDelivery.images("repo_push", dedupKey, name(images.get(0)), images);
    }
}
