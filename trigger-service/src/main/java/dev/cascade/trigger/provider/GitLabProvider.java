package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.git.GitRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.Json;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/** GitLab push and tag push webhooks, from a project hook or a system hook. */
@ApplicationScoped
public class GitLabProvider implements WebhookProvider {

    private final ObjectMapper mapper;

    public GitLabProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "gitlab";
    }

    @Override
    public Kind kind() {
        return Kind.GIT;
    }

    @Override
    public Set<String> mediaTypes() {
        return Set.of("application/json");
    }

    @Override
    public String claimedSubject(WebhookRequest request) {
        try {
            JsonNode root = Json.lenient(mapper, request.body());
            return root == null ? null : GitPushes.lenientRepository(repositoryUrl(root));
        } catch (RuntimeException e) {
            return null;
        }
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
            return ParsedDelivery.ignored(event, keyed ? idempotencyKey : GitPushes.bodyKey(event, request.body()),
                    claimedSubject(request), GitPushes.notHandled(event));
        }

        JsonNode root = Json.object(mapper, request.body());
        if (event.equals("System Hook")) {
            // system hooks carry every kind of instance event under one header; object_kind tells them apart
            String kind = GitPushes.optionalText(root, "/object_kind");
            if (!"push".equals(kind) && !"tag_push".equals(kind)) {
                String what = kind == null ? "(none)" : GitPushes.abbreviate(kind);
                return ParsedDelivery.ignored(event, keyed ? idempotencyKey : GitPushes.bodyKey(event, request.body()),
                        claimedSubject(request), "system hook of kind '" + what + "' is not handled");
            }
        }
        String repository = GitPushes.repository(repositoryUrl(root), "project.git_http_url");
        String rawRef = GitPushes.text(root, "/ref");
        GitRef ref = GitPushes.ref(rawRef);
        String after = GitPushes.sha(root, "/after");
        String before = GitPushes.optionalSha(root, "/before");
        String dedupKey = keyed ? idempotencyKey : GitPushes.dedupKey(repository + ":" + rawRef.trim() + ":" + after);
        // GitLab reports a deleted ref with checkout_sha null; a payload that leaves the field out says nothing
        boolean noCheckout = root.has("checkout_sha") && GitPushes.optionalText(root, "/checkout_sha") == null;
        boolean deleted = GitPushes.isZero(after) || noCheckout;
        GitPushes.Commit head = deleted ? null : GitPushes.headCommit(root, after);
        String why = GitPushes.whyIgnored(rawRef, ref, deleted, head);
        if (why != null) {
            Log.debugf("gitlab push to %s ignored: %s", repository, why);
            return ParsedDelivery.ignored(event, dedupKey, repository, why);
        }
        // GitLab lists at most 20 commits and counts them all in total_commits_count
        List<String> paths = GitPushes.changedPaths(root, before, "/total_commits_count");
        SourcePushed push = new SourcePushed(repository, ref.type(), ref.name(), before, after, paths,
                GitPushes.firstText(root, "/user_username", "/user_name"), sender(), null);
        return ParsedDelivery.pushes(event, dedupKey, repository, List.of(push));
    }

    /** The project's clone URL; older payloads and system hooks may only carry the repository block. */
    private static String repositoryUrl(JsonNode root) {
        return GitPushes.firstText(root, "/project/git_http_url", "/project/web_url",
                "/repository/git_http_url", "/repository/homepage");
    }
}
