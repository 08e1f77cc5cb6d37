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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Harbor webhooks, in the default payload format ({@code type: PUSH_ARTIFACT}) and in the CloudEvents format of
 * Harbor 2.10 and later ({@code type: harbor.artifact.pushed}); only artifact pushes under a tag are candidates.
 */
@Singleton
public class HarborProvider extends RegistrySender {

    static final String CLOUDEVENTS = "application/cloudevents+json";
    static final String PUSH_ARTIFACT = "PUSH_ARTIFACT";
    static final String CLOUDEVENT_PUSHED = "harbor.artifact.pushed";

    public HarborProvider(ObjectMapper mapper) {
        super(mapper, "harbor", Set.of("application/json", CLOUDEVENTS));
    }

    @Override
    String subject(JsonNode root) {
        JsonNode data = isCloudEvent(root) ? root.path("data") : root.path("event_data");
        JsonNode first = data.path("resources").path(0);
        String url = Json.optionalText(first, "/resource_url");
        String repository = repository(data);
        return url == null || repository == null ? null : ImageRef.parse(host(url) + "/" + repository).name();
    }

    /** Harbor sends the "Auth Header" of the webhook policy as the Authorization header, as it is. */
    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.authorization(request);
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        boolean cloudEvent = isCloudEvent(root);
        String type = Json.text(root, "/type");
        if (!type.equals(cloudEvent ? CLOUDEVENT_PUSHED : PUSH_ARTIFACT)) {
            return ParsedDelivery.ignored(type, ignoredKey(root, cloudEvent, type, request.body()), claimedSubject(request),
                    "event type " + type + " is not an artifact push");
        }
        JsonNode data = root.get(cloudEvent ? "data" : "event_data");
        String field = cloudEvent ? "/data" : "/event_data";
        if (data == null || !data.isObject()) {
            throw new MalformedWebhookException("field " + field + " must be an object");
        }
        String repository = repository(data);
        if (repository == null) {
            throw new MalformedWebhookException("missing or empty field " + field + "/repository/repo_full_name");
        }
        JsonNode resources = data.get("resources");
        if (resources == null || !resources.isArray()) {
            throw new MalformedWebhookException("field " + field + "/resources must be an array");
        }

        List<ImageCandidate> images = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>();
        int untagged = 0;
        for (int i = 0; i < resources.size(); i++) {
            JsonNode resource = resources.get(i);
            String at = field + "/resources/" + i;
            if (!resource.isObject()) {
                throw new MalformedWebhookException("field " + at + " must be an object");
            }
            String digest = Json.text(resource, "/digest").trim();
            String host = host(Json.text(resource, "/resource_url"));
            String tag = Json.optionalText(resource, "/tag");
            if (untagged(tag)) {
                // pushed by digest only: no tag moved, so nothing built FROM a tag can be affected
                untagged++;
                keys.add(host + "/" + repository + "@" + digest);
                continue;
            }
            ImageCandidate image = candidate(host + "/" + repository + ":" + tag.trim() + "@" + digest, null);
            images.add(image);
            keys.add(image.registry() + "/" + image.repository() + ":" + image.tag() + "@" + image.digest());
        }
        // Harbor resends the same push with a new event id and time: what was pushed is the identity (WEBHOOKS.md)
        String dedupKey = keys.isEmpty() ? bodyKey(type, request.body()) : String.join(",", keys);
        if (images.isEmpty()) {
            return ParsedDelivery.ignored(type, dedupKey, claimedSubject(request), resources.isEmpty()
                    ? "no artifact listed" : "no tagged artifact: " + untagged + " untagged push" + (untagged == 1 ? "" : "es") + " ignored");
        }
        return ParsedDelivery.images(type, dedupKey, name(images.get(0)), images);
    }

    private static boolean isCloudEvent(JsonNode root) {
        return root.hasNonNull("specversion");
    }

    /**
     * Events not handled have no push to identify them: a CloudEvent's source and id are unique by the spec; the
     * default format has nothing better than its bytes.
     */
    private static String ignoredKey(JsonNode root, boolean cloudEvent, String type, byte[] body) {
        String id = cloudEvent ? Json.optionalText(root, "/id") : null;
        return id == null || id.isBlank()
                ? bodyKey(type, body)
                : type + ":" + String.valueOf(Json.optionalText(root, "/source")) + ":" + id;
    }

    /** {@code repo_full_name}, else {@code namespace/name}; null when neither is given. */
    private static String repository(JsonNode data) {
        String full = Json.optionalText(data, "/repository/repo_full_name");
        if (full != null && !full.isBlank()) {
            return full.trim();
        }
        String namespace = Json.optionalText(data, "/repository/namespace");
        String name = Json.optionalText(data, "/repository/name");
        return namespace == null || name == null || namespace.isBlank() || name.isBlank() ? null : namespace.trim() + "/" + name.trim();
    }

    /** The registry host of a {@code resource_url} such as {@code harbor.example.com/library/app:latest}. */
    private static String host(String resourceUrl) {
        String url = stripScheme(resourceUrl);
        int slash = url.indexOf('/');
        String host = slash < 0 ? url : url.substring(0, slash);
        if (host.isEmpty() || !isRegistryHost(host)) {
            throw new MalformedWebhookException("resource_url '" + abbreviate(resourceUrl) + "' does not start with a registry host");
        }
        return host;
    }
}
