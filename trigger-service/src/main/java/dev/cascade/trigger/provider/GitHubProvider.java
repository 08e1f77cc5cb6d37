package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import jakarta.inject.Singleton;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** GitHub push webhooks, sent as JSON or as a form with the JSON in its {@code payload} field. */
@Singleton
public class GitHubProvider extends GitSender {

    static final String FORM = "application/x-www-form-urlencoded";

    public GitHubProvider(ObjectMapper mapper) {
        super(mapper, "github", Set.of("application/json", FORM));
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.hmacHeader(request, "X-Hub-Signature-256");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        GitHubDelivery delivery = GitHubDelivery.of(request);
        String event = delivery.event();
        if (event.equals("ping")) {
            return ParsedDelivery.ignored("ping", delivery.dedupKey(), claimedSubject(request), "ping: nothing to do");
        }
        if (!event.equals("push")) {
            return ParsedDelivery.ignored(event, delivery.dedupKey(), claimedSubject(request), GitPushes.notHandled(event));
        }
        JsonNode root = object(request);
        return refPush(event, delivery.dedupKey(), root, RefUpdate.read(root, repositoryUrl(root), "repository.clone_url"));
    }

    /** clone_url, then html_url, then url: older and enterprise payloads do not all carry the first. */
    @Override
    String repositoryUrl(JsonNode root) {
        return StrictJson.firstText(root, "/repository/clone_url", "/repository/html_url", "/repository/url");
    }

    @Override
    String pusher(JsonNode root) {
        return StrictJson.firstText(root, "/pusher/name");
    }

    @Override
    boolean deleted(JsonNode root, String after) {
        return StrictJson.flag(root, "/deleted") || GitPushes.isZero(after);
    }

    @Override
    List<String> changedPaths(JsonNode root, String before) {
        List<String> paths = GitPushes.changedPaths(root, before, null);
        // the commits a force push dropped changed files too, and they are not listed
        return StrictJson.flag(root, "/forced") ? null : paths;
    }

    @Override
    byte[] json(WebhookRequest request) {
        return FORM.equals(request.mediaType()) ? formPayload(request.body()) : request.body();
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
