package dev.cascade.trigger.webhook;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook delivery as it arrived: the sender's name from the URL, the headers (names compared
 * case-insensitively), the raw body bytes (signatures are checked over these, never over re-serialised
 * JSON) and, for senders that put it there, the secret from the URL path.
 */
public record WebhookRequest(String sender, Map<String, List<String>> headers, byte[] body, String pathSecret) {

    public WebhookRequest {
        TreeMap<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((k, v) -> ci.put(k, List.copyOf(v)));
        }
        headers = ci;
        body = body == null ? new byte[0] : body;
    }

    /** First value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The media type of the body without parameters, in lower case, or null. */
    public String mediaType() {
        String ct = header("Content-Type");
        if (ct == null) {
            return null;
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}
