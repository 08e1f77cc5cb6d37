package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Strict reading of the fields of an untrusted git push payload: a field of the wrong type is malformed (never a
 * ClassCast or NullPointer, and a number is never taken for text). Registry payloads are read with the more
 * forgiving {@link dev.cascade.trigger.webhook.Json}.
 */
final class StrictJson {

    private StrictJson() {
    }

    /** A required string field at a JSON pointer: missing, null, empty or not a string is malformed. */
    static String text(JsonNode root, String pointer) {
        String value = optionalText(root, pointer);
        if (value == null || value.isBlank()) {
            throw new MalformedWebhookException("missing or empty field " + pointer);
        }
        return value;
    }

    /** An optional string field: null when absent or null, malformed when it holds anything but a string. */
    static String optionalText(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new MalformedWebhookException("field " + pointer + " must be a string, not " + describe(n));
        }
        return n.asText();
    }

    /** The first non-blank string among several fields, each read strictly; null when none is set. */
    static String firstText(JsonNode root, String... pointers) {
        for (String pointer : pointers) {
            String value = optionalText(root, pointer);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** An optional boolean field: false when absent or null, malformed when not a boolean. */
    static boolean flag(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new MalformedWebhookException("field " + pointer + " must be true or false, not " + describe(n));
        }
        return n.booleanValue();
    }

    /** An optional array field: empty when absent or null, malformed when not an array. */
    static List<JsonNode> array(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new MalformedWebhookException("field " + pointer + " must be an array, not " + describe(n));
        }
        List<JsonNode> items = new ArrayList<>(n.size());
        n.forEach(items::add);
        return items;
    }

    /** An optional whole number: null when absent or null, malformed when anything else. */
    static Integer optionalInt(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new MalformedWebhookException("field " + pointer + " must be a whole number, not " + describe(n));
        }
        return n.intValue();
    }

    static String describe(JsonNode n) {
        return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
