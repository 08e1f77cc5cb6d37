package dev.cascade.trigger.webhook;

import dev.cascade.common.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one place where a delivery's credential is checked against the secrets configured for it: HMACs
 * over the raw body bytes and shared tokens, each compared in constant time against every active secret
 * (two may be active while one is rotated).
 */
public final class Signatures {

    private Signatures() {
    }

    /** Outcome of a check; {@code reason} says why a delivery was refused, and never contains a secret. */
    public record Verdict(boolean ok, String reason) {
        static Verdict pass() {
            return new Verdict(true, null);
        }

        static Verdict fail(String reason) {
            return new Verdict(false, reason);
        }
    }

    public static Verdict verify(Credential credential, List<String> secrets, byte[] body) {
        if (credential instanceof Credential.Unsigned) {
            return Verdict.pass();
        }
        if (credential instanceof Credential.Missing missing) {
            return Verdict.fail("no signature: " + missing.what() + " is missing");
        }
        if (secrets.isEmpty()) {
            return Verdict.fail("no secret is configured for this sender and repository");
        }
        boolean match = false;
        for (String secret : secrets) {
            // no early exit: the time taken does not tell which secret, if any, matched
            if (credential instanceof Credential.HmacSha256 hmac) {
                match |= constantTimeEquals(hmacSha256Hex(secret, body), hmac.hex().toLowerCase(Locale.ROOT));
            } else if (credential instanceof Credential.HmacSha1 hmac) {
                match |= constantTimeEquals(hmacHex("HmacSHA1", secret, body), hmac.hex().toLowerCase(Locale.ROOT));
            } else if (credential instanceof Credential.SecretOrHmacSha256 either) {
                // both compared every time: which form matched is not told by the time taken either
                match |= constantTimeEquals(secret, either.value().trim())
                        | constantTimeEquals(hmacSha256Hex(secret, body), either.value().trim().toLowerCase(Locale.ROOT));
            } else if (credential instanceof Credential.Token token) {
                match |= constantTimeEquals(secret, stripBearer(token.value()));
            }
        }
        if (match) {
            return Verdict.pass();
        }
        return Verdict.fail(credential instanceof Credential.HmacSha256 || credential instanceof Credential.HmacSha1
                ? "signature does not match the body"
                : credential instanceof Credential.SecretOrHmacSha256 ? "neither the secret nor a signature of the body" : "token does not match");
    }

    /** Lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String hmacSha256Hex(String secret, byte[] body) {
        return hmacHex("HmacSHA256", secret, body);
    }

    /** Lower-case hex HMAC of {@code body} under {@code secret} with a JCA MAC algorithm ({@code HmacSHA256}, {@code HmacSHA1}). */
    static String hmacHex(String algorithm, String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    private static String stripBearer(String value) {
        return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value.trim();
    }

    /** Compares digests of both sides, so neither the content nor the length leaks through timing. */
    private static boolean constantTimeEquals(String expected, String actual) {
        return MessageDigest.isEqual(Sha256.of(expected), Sha256.of(actual));
    }
}
