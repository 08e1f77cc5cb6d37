package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;

/** Gitea and Forgejo push webhooks (JSON content type). */
@Singleton
public class GiteaProvider extends GitSender {

    // Gitea's form content type signs the JSON inside the form, not the body sent, so it cannot be verified
    public GiteaProvider(ObjectMapper mapper) {
        super(mapper, "gitea", Set.of("application/json"));
    }

    @Override
    public Credential credential(WebhookRequest request) {
        for (String header : List.of("X-Gitea-Signature", "X-Forgejo-Signature", "X-Hub-Signature-256")) {
            Credential hmac = Credentials.hmac(request.header(header));
            if (hmac != null) {
                return hmac;
            }
        }
        return new Credential.Missing("X-Gitea-Signature");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-Gitea-Event");
        if (event == null || event.isBlank()) {
            event = request.header("X-Forgejo-Event");
        }
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-Gitea-Event (or X-Forgejo-Event) header is missing");
        }
        if (!event.equals("push")) {
            // X-Gitea-Delivery is new on every redelivery, so the bytes are the only stable identity here
            return ParsedDelivery.ignored(event, bodyKey(event, request.body()), claimedSubject(request),
                    GitPushes.notHandled(event));
        }
        JsonNode root = object(request);
        RefUpdate update = RefUpdate.read(root, repositoryUrl(root), "repository.clone_url");
        return refPush(event, update.dedupKey(), root, update);
    }

    @Override
    String repositoryUrl(JsonNode root) {
        return StrictJson.firstText(root, "/repository/clone_url", "/repository/html_url");
    }

    @Override
    String pusher(JsonNode root) {
        return StrictJson.firstText(root, "/pusher/login", "/pusher/username");
    }

    /** Gitea lists only the newest few commits and counts them all in total_commits. */
    @Override
    List<String> changedPaths(JsonNode root, String before) {
        return GitPushes.changedPaths(root, before, "/total_commits");
    }
}
