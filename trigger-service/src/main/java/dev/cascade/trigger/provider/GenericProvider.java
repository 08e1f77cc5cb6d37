package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.git.GitRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Set;

/** OpenShift-style generic git webhooks, JSON or YAML, with the secret in the URL path. */
@Singleton
public class GenericProvider extends GitSender {

    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml");
    public GenericProvider(ObjectMapper mapper) {
        super(mapper, "generic", Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml"));
    }

    /** Read as strictly as for parsing: a body that is not one JSON or YAML object claims nothing. */
    @Override
    JsonNode lenientRoot(WebhookRequest request) {
        return object(request);
    }

    /** The body as one JSON object, or as a YAML mapping when sent as YAML. */
    @Override
    JsonNode object(WebhookRequest request) {
        return YAML_TYPES.contains(request.mediaType()) ? YamlPayload.object(request.body()) : super.object(request);
    }

    @Override
    String repositoryUrl(JsonNode root) {
        JsonNode uri = root.at("/git/uri");
        return uri.isTextual() ? uri.asText() : null;
    }

    @Override
    String pusher(JsonNode root) {
        return StrictJson.firstText(root, "/git/author/name");
    }

    @Override
    public Credential credential(WebhookRequest request) {
        String secret = request.pathSecret();
        return secret != null && !secret.isBlank() ? new Credential.Token(secret) : new Credential.Missing("secret in the URL");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        String type = StrictJson.optionalText(root, "/type");
        String event = type == null || type.isBlank() ? "generic" : type;
        if (!"git".equalsIgnoreCase(event)) {
            return ParsedDelivery.ignored(event, bodyKey(event, request.body()), claimedSubject(request),
                    type == null ? "no type: only type Git is handled" : "type '" + GitPushes.abbreviate(type) + "' is not handled");
        }
        JsonNode git = root.path("git");
        if (!git.isObject()) {
            throw new MalformedWebhookException("git is required and must be an object");
        }
        String repository = GitPushes.repository(required(root, "/git/uri", "git.uri"), "git.uri");
        String rawRef = required(root, "/git/ref", "git.ref");
        required(root, "/git/commit", "git.commit");
        String commit = GitPushes.abbreviatedSha(root, "/git/commit");
        GitRef ref = GitPushes.ref(rawRef);
        // "main" and "refs/heads/main" are one ref, so a resend spelled either way is the same delivery
        String dedupKey = GitPushes.dedupKey(repository + ":" + (ref == null ? rawRef.trim() : ref.fullName()) + ":" + commit);
        String message = StrictJson.optionalText(root, "/git/message");
        String why = GitPushes.whyIgnored(rawRef, ref, GitPushes.isZero(commit), new GitPushes.Commit(commit, message));
        if (why != null) {
            Log.debugf("generic push to %s ignored: %s", repository, why);
            return ParsedDelivery.ignored(event, dedupKey, repository, why);
        }
        SourcePushed push = new SourcePushed(repository, ref.type(), ref.name(), null, commit, null,
                pusher(root), sender(), null);
        return ParsedDelivery.pushes(event, dedupKey, repository, List.of(push));
    }

    private static String required(JsonNode root, String pointer, String label) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            throw new MalformedWebhookException(label + " is required");
        }
        return StrictJson.text(root, pointer);
    }
}
