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
 * Docker Hub repository webhooks: one tag pushed, without a digest (the intake resolves it from the
 * registry) and without any signature.
 */
@Singleton
public class DockerHubProvider extends RegistrySender {

    public DockerHubProvider(ObjectMapper mapper) {
        super(mapper, "dockerhub", Set.of("application/json"));
    }

    @Override
    String subject(JsonNode root) {
        String name = Json.optionalText(root, "/repository/repo_name");
        return name == null ? null : ImageRef.parse(ImageRef.DOCKER_HUB + "/" + name.trim()).name();
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
        JsonNode root = object(request);
        String repoName = Json.text(root, "/repository/repo_name").trim();
        String tag = Json.text(root, "/push_data/tag").trim();
        String pushedAt = pushedAt(root.at("/push_data/pushed_at"));
        // a name without a namespace is an official image: "nginx" is library/nginx
        ImageCandidate image = candidate(ImageRef.DOCKER_HUB + "/" + repoName + ":" + tag, null);
        return ParsedDelivery.images("push", repoName + ":" + tag + ":" + pushedAt, name(image), List.of(image));
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
