package dev.cascade.trigger.provider;

import dev.cascade.common.hash.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.image.ImageRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.Json;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Notifications of a CNCF Distribution registry ({@code registry:2}, Debian's {@code docker-registry}): one
 * envelope of events per POST, of which only tagged manifest and index pushes become image candidates.
 */
@Singleton
public class DistributionProvider extends RegistrySender {

    static final String EVENTS_V1 = "application/vnd.docker.distribution.events.v1+json";
    static final String EVENTS_V2 = "application/vnd.docker.distribution.events.v2+json";

    /** What a tag can point at: image manifests and indexes (manifest lists), OCI and Docker. */
    static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    public DistributionProvider(ObjectMapper mapper) {
        super(mapper, "distribution", Set.of(EVENTS_V1, EVENTS_V2, "application/json"));
    }

    @Override
    String subject(JsonNode root) {
        JsonNode events = root.get("events");
        if (events == null || !events.isArray() || events.isEmpty() || !events.get(0).isObject()) {
            return null;
        }
        JsonNode first = events.get(0);
        String repository = Json.optionalText(first, "/target/repository");
        String host = host(first);
        return repository == null || host == null ? null : ImageRef.parse(host + "/" + repository).name();
    }

    /** The registry can only send static headers from its configuration: a shared token is all there is. */
    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.authorization(request);
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        JsonNode root = object(request);
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            throw new MalformedWebhookException("field /events must be an array of events");
        }
        TreeSet<String> ids = new TreeSet<>();
        LinkedHashSet<String> actions = new LinkedHashSet<>();
        List<ImageCandidate> images = new ArrayList<>();
        Map<String, Integer> left = new LinkedHashMap<>();
        String firstSubject = null;
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            String at = "/events/" + i;
            if (!event.isObject()) {
                throw new MalformedWebhookException("field " + at + " must be an event object");
            }
            ids.add(Json.text(event, "/id"));
            String action = Json.text(event, "/action");
            actions.add(action);
            JsonNode target = event.get("target");
            if (target == null || !target.isObject()) {
                throw new MalformedWebhookException("field " + at + "/target must be an object");
            }
            String repository = Json.text(target, "/repository");
            String host = host(event);
            if (host == null) {
                throw new MalformedWebhookException("event " + at + " names no registry host (request.host or target.url)");
            }
            if (firstSubject == null) {
                firstSubject = lenientName(host, repository);
            }
            String why = whyLeftOut(action, target);
            if (why != null) {
                left.merge(why, 1, Integer::sum);
                continue;
            }
            String tag = Json.text(target, "/tag");
            String digest = Json.text(target, "/digest");
            try {
                images.add(candidate(host, repository, tag, digest, mediaType(target)));
            } catch (IllegalArgumentException e) {
                // a 400 would make the registry resend this envelope forever and hold back every later event
                Log.warnf("distribution event %s left out: %s", Json.text(event, "/id"), e.getMessage());
                left.merge("push with an invalid image name", 1, Integer::sum);
            }
        }

        String dedupKey = ids.isEmpty() ? bodyKey(request.body()) : String.join(",", ids);
        String eventName = actions.isEmpty() ? "events" : String.join(",", actions);
        if (images.isEmpty()) {
            return ParsedDelivery.ignored(eventName, dedupKey, firstSubject, "no tagged manifest push: " + describe(left));
        }
        if (!left.isEmpty()) {
            Log.debugf("distribution envelope %s: %d image push(es); %s", dedupKey, images.size(), describe(left));
        }
        return ParsedDelivery.images(eventName, dedupKey, name(images.get(0)), images);
    }

    /** Why an event is not a tagged manifest push (the reason, in the singular), or null when it is one. */
    private static String whyLeftOut(String action, JsonNode target) {
        if (!action.equals("push")) {
            return switch (action) {
                case "pull", "mount", "delete" -> action;
                default -> "'" + action + "' event";
            };
        }
        String mediaType = mediaType(target);
        if (mediaType == null || !MANIFEST_TYPES.contains(mediaType)) {
            String url = Json.optionalText(target, "/url");
            boolean manifest = (url != null && url.contains("/manifests/"))
                    || (mediaType != null && (mediaType.contains("manifest") || mediaType.contains("index")));
            return manifest ? "push of manifest type " + (mediaType == null ? "(none)" : mediaType) : "blob push";
        }
        String tag = Json.optionalText(target, "/tag");
        return untagged(tag) ? "untagged manifest push" : null;
    }

    /** The registry as clients addressed it ({@code request.host}), else the host of the target's URL. */
    private static String host(JsonNode event) {
        String host = Json.optionalText(event, "/request/host");
        if (host != null && !host.isBlank()) {
            return host.trim();
        }
        String url = Json.optionalText(event, "/target/url");
        if (url == null) {
            return null;
        }
        try {
            URI uri = URI.create(url.trim());
            String authority = uri.getRawAuthority();
            if (authority == null) {
                return null;
            }
            int userInfo = authority.lastIndexOf('@');
            return userInfo < 0 ? authority : authority.substring(userInfo + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String mediaType(JsonNode target) {
        String mediaType = Json.optionalText(target, "/mediaType");
        if (mediaType == null) {
            return null;
        }
        int semi = mediaType.indexOf(';');
        return (semi < 0 ? mediaType : mediaType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The candidate, normalised as image references are.
     *
     * @throws IllegalArgumentException naming what is wrong, when the names do not form an image reference
     */
    private static ImageCandidate candidate(String host, String repository, String tag, String digest, String mediaType) {
        if (!isRegistryHost(host)) {
            throw new IllegalArgumentException("registry host '" + host + "' would read as a Docker Hub namespace");
        }
        return imageCandidate(host + "/" + repository + ":" + tag + "@" + digest, mediaType);
    }

    private static String lenientName(String host, String repository) {
        try {
            return isRegistryHost(host) ? ImageRef.parse(host + "/" + repository).name() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** "2 blob pushes, 1 pull ignored" */
    private static String describe(Map<String, Integer> left) {
        if (left.isEmpty()) {
            return "the envelope holds no events";
        }
        return left.entrySet().stream().map(e -> e.getValue() + " " + plural(e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ")) + " ignored";
    }

    private static String plural(String what, int count) {
        if (count == 1) {
            return what;
        }
        return what.matches(".*\\bpush\\b.*") ? what.replaceFirst("\\bpush\\b", "pushes") : what + "s";
    }

    /** An envelope without event ids (never sent by a registry) is the same delivery when its bytes are. */
    private static String bodyKey(byte[] body) {
        return "sha256:" + Sha256.hex(body);
    }
}
