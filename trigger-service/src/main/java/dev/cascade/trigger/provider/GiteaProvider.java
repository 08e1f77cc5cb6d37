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

/** Gitea and Forgejo push webhooks (JSON content type). */
@ApplicationScoped
public class GiteaProvider implements WebhookProvider {

    private final ObjectMapper mapper;

    public GiteaProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "gitea";
    }

    @Override
    public Kind kind() {
        return Kind.GIT;
    }

    // Gitea's form content type signs the JSON inside the form, not the body sent, so it cannot be verified
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
        for (String header : List.of("X-Gitea-Signature", "X-Forgejo-Signature", "X-Hub-Signature-256")) {
            Credential hmac = GitPushes.hmac(request.header(header));
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
            return ParsedDelivery.ignored(event, GitPushes.bodyKey(event, request.body()), claimedSubject(request),
                    GitPushes.notHandled(event));
        }

        JsonNode root = Json.object(mapper, request.body());
        String repository = GitPushes.repository(repositoryUrl(root), "repository.clone_url");
        String rawRef = GitPushes.text(root, "/ref");
        GitRef ref = GitPushes.ref(rawRef);
        String after = GitPushes.sha(root, "/after");
        String before = GitPushes.optionalSha(root, "/before");
        String dedupKey = GitPushes.dedupKey(repository + ":" + rawRef.trim() + ":" + after);
        boolean deleted = GitPushes.isZero(after);
        GitPushes.Commit head = deleted ? null : GitPushes.headCommit(root, after);
        String why = GitPushes.whyIgnored(rawRef, ref, deleted, head);
        if (why != null) {
            Log.debugf("gitea push to %s ignored: %s", repository, why);
            return ParsedDelivery.ignored(event, dedupKey, repository, why);
        }
        // Gitea lists only the newest few commits and counts them all in total_commits
        List<String> paths = GitPushes.changedPaths(root, before, "/total_commits");
        SourcePushed push = new SourcePushed(repository, ref.type(), ref.name(), before, after, paths,
                GitPushes.firstText(root, "/pusher/login", "/pusher/username"), sender(), null);
        return ParsedDelivery.pushes(event, dedupKey, repository, List.of(push));
    }

    private static String repositoryUrl(JsonNode root) {
        return GitPushes.firstText(root, "/repository/clone_url", "/repository/html_url");
    }
}
