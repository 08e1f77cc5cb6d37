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
import java.util.List;
import java.util.Set;

/**
 * Docker Hub repository webhooks: one tag pushed, without a digest (the intake resolves it from the
 * registry) and without any signature.
 */
@ApplicationScoped
public class DockerHubProvider implements WebhookProvider {

    private final ObjectMapper mapper;

    public DockerHubProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "dockerhub";
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
            String name = root == null ? null : Json.optionalText(root, "/repository/repo_name");
            return name == null ? null : ImageRef.parse(ImageRef.DOCKER_HUB + "/" + name.trim()).name();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return new Credential.Unsigned();
    }

    /**
     * The de-duplication key is {@code repo_name:tag:pushed_at}: a resend of the same notification carries the
     * same push time. It holds no digest because the notification has none; telling apart pushes of the same
     * digest is left to the intake, which adds the digest once it has resolved it from the registry.
     */
    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = Json.object(mapper, request.body());
        String repoName = Json.text(root, "/repository/repo_name").trim();
        String tag = Json.text(root, "/push_data/tag").trim();
        String pushedAt = pushedAt(root.at("/push_data/pushed_at"));
        ImageRef ref;
        try {
            // a name without a namespace is an official image: "nginx" is library/nginx
            ref = ImageRef.parse(ImageRef.DOCKER_HUB + "/" + repoName + ":" + tag);
        } catch (IllegalArgumentException e) {
            throw new MalformedWebhookException("invalid image reference: " + e.getMessage());
        }
        ImageCandidate image = new ImageCandidate(ref.registry(), ref.repository(), ref.tag(), null, null);
        return ParsedDelivery.images("push", repoName + ":" + tag + ":" + pushedAt, ref.name(), List.of(image));
    }

    /** Seconds since the epoch, sent as a JSON number in exponent form ({@code 1.417566161e+09}). */
    private static String pushedAt(JsonNode n) {
        if (n.isNumber()) {
            return n.decimalValue().stripTrailingZeros().toPlainString();
        }
        if (n.isTextual() && !n.asText().isBlank()) {
            return n.asText().trim();
        }
        throw new MalformedWebhookException("field /push_data/pushed_at must be the push time");
    }
}
