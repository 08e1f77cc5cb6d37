package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.hash.Sha256;
import dev.cascade.trigger.webhook.Json;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.util.Set;

/**
 * What every sender's provider shares: its name, kind and media types, reading the body as one JSON object, and the
 * subject a delivery claims, read leniently before verification (whatever cannot be read means "cannot be told",
 * never an error). Subclasses say where their payload names the subject.
 */
abstract class JsonSender implements WebhookProvider {

    final ObjectMapper mapper;
    private final String sender;
    private final Kind kind;
    private final Set<String> mediaTypes;

    JsonSender(ObjectMapper mapper, String sender, Kind kind, Set<String> mediaTypes) {
        this.mapper = mapper;
        this.sender = sender;
        this.kind = kind;
        this.mediaTypes = Set.copyOf(mediaTypes);
    }

    @Override
    public String sender() {
        return sender;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public Set<String> mediaTypes() {
        return mediaTypes;
    }

    @Override
    public String claimedSubject(WebhookRequest request) {
        try {
            JsonNode root = lenientRoot(request);
            return root == null ? null : subject(root);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The subject (canonical repository URL or image name) a payload names; null, or any exception, when it names none. */
    abstract String subject(JsonNode root);

    /** The payload read for its claimed subject: null when it is not one JSON object. */
    JsonNode lenientRoot(WebhookRequest request) {
        return Json.lenient(mapper, json(request));
    }

    /** The payload of a verified delivery: anything but one JSON object is malformed. */
    JsonNode object(WebhookRequest request) {
        return Json.object(mapper, json(request));
    }

    /** The JSON a delivery carries: its body, unless the sender wraps it. */
    byte[] json(WebhookRequest request) {
        return request.body();
    }

    /**
     * A de-duplication key for deliveries that name nothing better (events not handled, pings) and whose sender
     * gives no delivery id that survives a resend: the same bytes again are the same delivery.
     */
    static String bodyKey(String eventName, byte[] body) {
        return ParsedDelivery.storableKey((eventName == null ? "" : eventName) + ":sha256:" + Sha256.hex(body));
    }
}
