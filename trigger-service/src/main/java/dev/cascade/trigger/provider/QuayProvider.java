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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quay (quay.io and Red Hat Quay) "Push to Repository" notifications: the tags a push updated, without digests
 * (the intake resolves them from the registry) and without any signature.
 */
@ApplicationScoped
public class QuayProvider implements WebhookProvider {

    private final ObjectMapper mapper;

    public QuayProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "quay";
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
            String dockerUrl = root == null ? null : Json.optionalText(root, "/docker_url");
            return dockerUrl == null ? null : ImageRef.parse(stripScheme(dockerUrl)).name();
        } catch (RuntimeException e) {
            return null;
        }
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
        JsonNode root = Json.object(mapper, request.body());
        String dockerUrl = stripScheme(Json.text(root, "/docker_url"));
        int slash = dockerUrl.indexOf('/');
        if (slash <= 0 || slash == dockerUrl.length() - 1) {
            throw new MalformedWebhookException("docker_url '" + abbreviate(dockerUrl) + "' is not registry/namespace/repository");
        }
        String host = dockerUrl.substring(0, slash);
        if (!(host.contains(".") || host.contains(":") || host.equals("localhost") || host.startsWith("["))) {
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
            if (!tag.asText().isBlank()) {
                tags.add(tag.asText().trim());
            }
        }
        String dedupKey = dockerUrl + ":" + String.join(",", tags);
        if (tags.isEmpty()) {
            return ParsedDelivery.ignored("repo_push", dedupKey, claimedSubject(request), "no tag updated");
        }
        List<ImageCandidate> images = new ArrayList<>(tags.size());
        for (String tag : tags) {
            try {
                ImageRef ref = ImageRef.parse(dockerUrl + ":" + tag);
                images.add(new ImageCandidate(ref.registry(), ref.repository(), ref.tag(), null, null));
            } catch (IllegalArgumentException e) {
                throw new MalformedWebhookException("invalid image reference: " + e.getMessage());
            }
        }
        return ParsedDelivery.images("repo_push", dedupKey, images.get(0).registry() + "/" + images.get(0).repository(), images);
    }

    /** A scheme is no part of an image name; Quay sends none, but tolerating one costs nothing. */
    private static String stripScheme(String url) {
        String u = url.trim();
        int scheme = u.indexOf("://");
        return scheme < 0 ? u : u.substring(scheme + 3);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
