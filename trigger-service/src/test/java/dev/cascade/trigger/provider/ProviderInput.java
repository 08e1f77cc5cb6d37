package dev.cascade.trigger.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the provider tests hand a provider: requests as the webhook endpoint builds them, and payloads to change. */
final class ProviderInput {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String JSON = "application/json";

    private ProviderInput() {
    }

    /** A request with a content type and header name/value pairs. */
    static WebhookRequest request(String sender, String contentType, byte[] body, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        if (contentType != null) {
            map.put("Content-Type", List.of(contentType));
        }
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], List.of(headers[i + 1]));
        }
        return new WebhookRequest(sender, map, body, null);
    }

    /** A captured payload as a tree the test may change. */
    static ObjectNode fixture(String name) {
        return (ObjectNode) tree(WebhookPayloads.bytes(name));
    }

    static JsonNode tree(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The delivery was read and is ignored for {@code reason}: no push, no image, and a key to find it again. */
    static void assertIgnored(ParsedDelivery delivery, String reason) {
        assertThat(delivery.pushes()).isEmpty();
        assertThat(delivery.images()).isEmpty();
        assertThat(delivery.ignored()).isEqualTo(reason);
        assertThat(delivery.dedupKey()).isNotBlank();
    }
}
