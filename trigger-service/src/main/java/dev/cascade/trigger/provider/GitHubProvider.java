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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** GitHub push webhooks, sent as JSON or as a form with the JSON in its {@code payload} field. */
@ApplicationScoped
public class GitHubProvider implements WebhookProvider {

    static final String FORM = "application/x-www-form-urlencoded";

    private final ObjectMapper mapper;

    public GitHubProvider(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String sender() {
        return "github";
    }

    @Override
    public Kind kind() {
        return Kind.GIT;
    }

    @Override
    public Set<String> mediaTypes() {
        return Set.of("application/json", FORM);
    }

    @Override
    public String claimedSubject(WebhookRequest request) {
        try {
            JsonNode root = Json.lenient(mapper, FORM.equals(request.mediaType()) ? formPayload(request.body()) : request.body());
            return root == null ? null : GitPushes.lenientRepository(repositoryUrl(root));
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Credential credential(WebhookRequest request) {
        Credential hmac = GitPushes.hmac(request.header("X-Hub-Signature-256"));
        return hmac != null ? hmac : new Credential.Missing("X-Hub-Signature-256");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-GitHub-Event");
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Event header is missing");
        }
        String delivery = request.header("X-GitHub-Delivery");
        if (delivery == null || delivery.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Delivery header is missing");
        }
        // both survive a redelivery; one event sent to two hooks (repository and organisation) shares a delivery id
        String hookId = request.header("X-GitHub-Hook-ID");
        String dedupKey = GitPushes.dedupKey((hookId == null ? "" : hookId.trim()) + ":" + delivery.trim());
        if (event.equals("ping")) {
            return ParsedDelivery.ignored("ping", dedupKey, claimedSubject(request), "ping: nothing to do");
        }
        if (!event.equals("push")) {
            return ParsedDelivery.ignored(event, dedupKey, claimedSubject(request), GitPushes.notHandled(event));
        }

        byte[] json = FORM.equals(request.mediaType()) ? formPayload(request.body()) : request.body();
        JsonNode root = Json.object(mapper, json);
        String repository = GitPushes.repository(repositoryUrl(root), "repository.clone_url");
        String rawRef = GitPushes.text(root, "/ref");
        GitRef ref = GitPushes.ref(rawRef);
        String after = GitPushes.sha(root, "/after");
        String before = GitPushes.optionalSha(root, "/before");
        boolean deleted = GitPushes.flag(root, "/deleted") || GitPushes.isZero(after);
        GitPushes.Commit head = deleted ? null : GitPushes.headCommit(root, after);
        String why = GitPushes.whyIgnored(rawRef, ref, deleted, head);
        if (why != null) {
            Log.debugf("github push to %s ignored: %s", repository, why);
            return ParsedDelivery.ignored(event, dedupKey, repository, why);
        }
        List<String> paths = GitPushes.changedPaths(root, before, null);
        if (GitPushes.flag(root, "/forced")) {
            // the commits a force push dropped changed files too, and they are not listed
            paths = null;
        }
        SourcePushed push = new SourcePushed(repository, ref.type(), ref.name(), before, after, paths,
                GitPushes.firstText(root, "/pusher/name"), sender(), null);
        return ParsedDelivery.pushes(event, dedupKey, repository, List.of(push));
    }

    /** clone_url, then html_url, then url: older and enterprise payloads do not all carry the first. */
    private static String repositoryUrl(JsonNode root) {
        return GitPushes.firstText(root, "/repository/clone_url", "/repository/html_url", "/repository/url");
    }

    /** The JSON GitHub puts in the {@code payload} field when the hook's content type is form. */
    static byte[] formPayload(byte[] body) {
        String form = new String(body, StandardCharsets.UTF_8);
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (name.equals("payload")) {
                try {
                    return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8)
                            .getBytes(StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new MalformedWebhookException("form field payload is not URL-encoded: " + e.getMessage());
                }
            }
        }
        throw new MalformedWebhookException("form body has no payload field");
    }
}
