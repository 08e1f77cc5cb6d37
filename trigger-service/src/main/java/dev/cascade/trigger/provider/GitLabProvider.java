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

/** GitLab push and tag push webhooks, from a project hook or a system hook. */
@Singleton
public class GitLabProvider extends GitSender {

    public GitLabProvider(ObjectMapper mapper) {
        super(mapper, "gitlab", Set.of("application/json"));
    }

    @Override
    public Credential credential(WebhookRequest request) {
        String token = request.header("X-Gitlab-Token");
        return token != null && !token.isEmpty() ? new Credential.Token(token) : new Credential.Missing("X-Gitlab-Token");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-Gitlab-Event");
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-Gitlab-Event header is missing");
        }
        // the same on every resend of one event; X-Gitlab-Webhook-UUID changes per attempt, so it is no use here
        String idempotencyKey = request.header("Idempotency-Key");
        boolean keyed = idempotencyKey != null && !idempotencyKey.isBlank();
        if (keyed) {
            idempotencyKey = GitPushes.dedupKey(idempotencyKey);
        }
        if (!event.equals("Push Hook") && !event.equals("Tag Push Hook") && !event.equals("System Hook")) {
            return ParsedDelivery.ignored(event, keyed ? idempotencyKey : bodyKey(event, request.body()),
                    claimedSubject(request), GitPushes.notHandled(event));
        }

        JsonNode root = object(request);
        if (event.equals("System Hook")) {
            // system hooks carry every kind of instance event under one header; object_kind tells them apart
            String kind = StrictJson.optionalText(root, "/object_kind");
            if (!"push".equals(kind) && !"tag_push".equals(kind)) {
                String what = kind == null ? "(none)" : GitPushes.abbreviate(kind);
                return ParsedDelivery.ignored(event, keyed ? idempotencyKey : bodyKey(event, request.body()),
                        claimedSubject(request), "system hook of kind '" + what + "' is not handled");
            }
        }
        RefUpdate update = RefUpdate.read(root, repositoryUrl(root), "project.git_http_url");
        return refPush(event, keyed ? idempotencyKey : update.dedupKey(), root, update);
    }

    /** The project's clone URL; older payloads and system hooks may only carry the repository block. */
    @Override
    String repositoryUrl(JsonNode root) {
        return StrictJson.firstText(root, "/project/git_http_url", "/project/web_url",
                "/repository/git_http_url", "/repository/homepage");
    }

    @Override
    String pusher(JsonNode root) {
        return StrictJson.firstText(root, "/user_username", "/user_name");
    }

    @Override
    boolean deleted(JsonNode root, String after) {
        // GitLab reports a deleted ref with checkout_sha null; a payload that leaves the field out says nothing
        boolean noCheckout = root.has("checkout_sha") && StrictJson.optionalText(root, "/checkout_sha") == null;
        return GitPushes.isZero(after) || noCheckout;
    }

    /** GitLab lists at most 20 commits and counts them all in total_commits_count. */
    @Override
    List<String> changedPaths(JsonNode root, String before) {
        return GitPushes.changedPaths(root, before, "/total_commits_count");
    }
}
