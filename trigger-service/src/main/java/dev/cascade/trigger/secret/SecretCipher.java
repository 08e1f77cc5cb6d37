package dev.cascade.trigger.secret;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts stored webhook secrets with AES-256-GCM under {@code cascade.secrets.key} (base64, 32 bytes).
 * HMAC senders need the secret itself to verify, so secrets are encrypted, not hashed.
 */
@ApplicationScoped
public class SecretCipher {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public SecretCipher(SecretsConfig config) {
        this.key = config.key().filter(k -> !k.isBlank()).map(SecretCipher::decodeKey).orElse(null);
    }

    private static SecretKeySpec decodeKey(String base64) {
        byte[] raw = Base64.getDecoder().decode(base64.trim());
        if (raw.length != 32) {
            throw new IllegalArgumentException("cascade.secrets.key must be 32 bytes, base64-encoded (it is " + raw.length + ")");
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** Whether a key is configured; without one, secrets can only come from configuration. */
    public boolean enabled() {
        return key != null;
    }

    /** An encrypted secret: a fresh 12-byte nonce and the ciphertext with its tag. */
    public record Sealed(byte[] nonce, byte[] ciphertext) {
    }

    public Sealed seal(String secret, String associatedData) {
        requireKey();
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new Sealed(nonce, c.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypting a webhook secret failed", e);
        }
    }

    /** Decrypts; the associated data (sender and subject) must be the one it was sealed with. */
    public String open(Sealed sealed, String associatedData) {
        requireKey();
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed.nonce()));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored webhook secret cannot be decrypted with the configured key", e);
        }
    }

    private void requireKey() {
        if (key == null) {
            throw new SecretStorageDisabledException();
        }
    }

    /** Secrets cannot be stored because no key is configured. */
    public static class SecretStorageDisabledException extends RuntimeException {
        public SecretStorageDisabledException() {
            super("webhook secrets cannot be stored: set cascade.secrets.key (32 random bytes, base64)");
        }
    }
}
