package dev.cascade.trigger.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Small helpers for reading untrusted webhook JSON: every failure becomes a {@link MalformedWebhookException}. */
public final class Json {

    private Json() {
    }

    /** Parses the body as one JSON object. */
    public static JsonNode object(ObjectMapper mapper, byte[] body) {
        requireUtf8(body);
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedWebhookException("body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new MalformedWebhookException("body cannot be read: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new MalformedWebhookException("body is not a JSON object");
        }
        return node;
    }

    /**
     * Refuses a body that is not UTF-8, as JSON exchanged between systems must be. The parser does not check it
     * everywhere: a byte such as {@code 0xFF} inside a field name it has seen before reads as that name.
     */
    public static void requireUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new MalformedWebhookException("body is not UTF-8: " + e.getMessage());
        }
    }

    /** Parses leniently, for reading a claimed subject before verification; null when not JSON. */
    public static JsonNode lenient(ObjectMapper mapper, byte[] body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A required text field at a JSON pointer such as {@code /repository/clone_url}. */
    public static String text(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull() || !n.isValueNode() || n.asText().isEmpty()) {
            throw new MalformedWebhookException("missing or empty field " + pointer);
        }
        return n.asText();
    }

    /** An optional text field: null when absent, null or not a value. */
    public static String optionalText(JsonNode root, String pointer) {
        JsonNode n = root.at(pointer);
        return n.isMissingNode() || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
