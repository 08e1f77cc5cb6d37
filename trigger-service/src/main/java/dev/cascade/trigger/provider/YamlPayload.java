package dev.cascade.trigger.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import java.io.IOException;

/** Untrusted YAML bodies (the generic hook may send one) read into the same tree a JSON body gives. */
final class YamlPayload {

    // deep enough for any real hook body, shallow enough that a hostile one cannot exhaust the stack
    private static final int MAX_DEPTH = 64;
    private static final YAMLMapper YAML = new YAMLMapper();

    private YamlPayload() {
    }

    /**
     * Reads a YAML mapping with every scalar kept as the text that was written: YAML would otherwise turn
     * an all-digit commit id into a number, and one with a leading zero into an octal one.
     */
    static JsonNode object(byte[] body) {
        try (JsonParser parser = YAML.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedWebhookException("body is not a YAML mapping");
            }
            return value(parser, 0);
        } catch (JsonProcessingException e) {
            throw new MalformedWebhookException("body is not valid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new MalformedWebhookException("body cannot be read: " + firstLine(e.getMessage()));
        } catch (MalformedWebhookException e) {
            throw e;
        } catch (RuntimeException e) {
            // the YAML library reports some limits (aliases, size) with its own unchecked exceptions
            throw new MalformedWebhookException("body is not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    private static JsonNode value(JsonParser parser, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new MalformedWebhookException("body is nested more than " + MAX_DEPTH + " levels deep");
        }
        JsonToken token = parser.currentToken();
        if (token == null) {
            throw new MalformedWebhookException("body is not valid YAML: it ends early");
        }
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = JsonNodeFactory.instance.objectNode();
                JsonToken next;
                while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.set(name, value(parser, depth + 1));
                }
                if (next != JsonToken.END_OBJECT) {
                    throw new MalformedWebhookException("body is not valid YAML: a mapping does not end");
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (next == null) {
                        throw new MalformedWebhookException("body is not valid YAML: a sequence does not end");
                    }
                    array.add(value(parser, depth + 1));
                }
                return array;
            }
            case VALUE_NULL -> {
                return JsonNodeFactory.instance.nullNode();
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                return JsonNodeFactory.instance.textNode(parser.getText());
            }
            default -> throw new MalformedWebhookException("body holds a YAML value of an unsupported kind (" + token + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
