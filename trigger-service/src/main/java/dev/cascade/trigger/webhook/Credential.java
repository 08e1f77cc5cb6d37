package dev.cascade.trigger.webhook;

/**
 * What a delivery presents to prove who sent it. Providers only extract it; {@code Signatures} checks it
 * against the configured secrets, in one place, in constant time.
 */
public sealed interface Credential {

    /** An HMAC-SHA256 of the raw body, as lower- or upper-case hex (any {@code sha256=} prefix removed). */
    record HmacSha256(String hex) implements Credential {
    }

    /** An HMAC-SHA1 of the raw body, as hex: Nexus Repository's {@code X-Nexus-Webhook-Signature}. */
    record HmacSha1(String hex) implements Credential {
    }

    /**
     * A header that holds either the shared secret itself or, when the sender is set to sign, an HMAC-SHA256 of the
     * raw body as hex: Artifactory's {@code X-JFrog-Event-Auth}.
     */
    record SecretOrHmacSha256(String value) implements Credential {
    }

    /** A shared token sent as it is: GitLab's {@code X-Gitlab-Token}, a secret in the URL, an Authorization header. */
    record Token(String value) implements Credential {
    }

    /** The sender signs nothing (Docker Hub, Quay); what it reports is checked against the registry instead. */
    record Unsigned() implements Credential {
    }

    /** The sender would sign, but this delivery carries no signature. */
    record Missing(String what) implements Credential {
    }
}
