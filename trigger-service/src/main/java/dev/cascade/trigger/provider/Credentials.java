package dev.cascade.trigger.provider;

import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.WebhookRequest;

/** How senders present their credential in a header; {@code Signatures} checks it. */
final class Credentials {

    private Credentials() {
    }

    /** An HMAC credential from a header value, with any {@code sha256=} prefix removed; null when the header is absent. */
    static Credential hmac(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            return null;
        }
        String v = headerValue.trim();
        return new Credential.HmacSha256(v.regionMatches(true, 0, "sha256=", 0, 7) ? v.substring(7) : v);
    }

    /** The HMAC in a header, or the header named as missing. */
    static Credential hmacHeader(WebhookRequest request, String header) {
        Credential hmac = hmac(request.header(header));
        return hmac != null ? hmac : new Credential.Missing(header);
    }

    /** The hex HMAC-SHA1 in a header, or the header named as missing. */
    static Credential hmacSha1Header(WebhookRequest request, String header) {
        String value = request.header(header);
        return value == null || value.isBlank() ? new Credential.Missing(header) : new Credential.HmacSha1(value.trim());
    }

    /** The {@code Authorization} header a registry is configured to send, as a shared token, or named as missing. */
    static Credential authorization(WebhookRequest request) {
        String authorization = request.header("Authorization");
        return authorization == null || authorization.isBlank()
                ? new Credential.Missing("Authorization")
                : new Credential.Token(authorization.trim());
    }
}
