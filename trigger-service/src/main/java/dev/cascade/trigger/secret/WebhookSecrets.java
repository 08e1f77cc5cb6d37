package dev.cascade.trigger.secret;

import dev.cascade.trigger.webhook.WebhookConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The secrets a delivery may be verified with: those stored for its sender and subject, or, when none
 * are, those stored for the sender as a whole ({@code *}) and those in configuration
 * ({@code cascade.webhooks.<sender>.secrets}, comma-separated). At most two per sender and subject.
 */
@ApplicationScoped
public class WebhookSecrets {

    public static final String ANY_SUBJECT = "*";
    public static final int MAX_ACTIVE = 2;

    private final SecretCipher cipher;
    private final WebhookConfig config;

    public WebhookSecrets(SecretCipher cipher, WebhookConfig config) {
        this.cipher = cipher;
        this.config = config;
    }

    /** Must run inside a session. One query: the sender's secrets for this subject and for every subject. */
    public Uni<List<String>> activeFor(String sender, String subject) {
        Uni<List<WebhookSecret>> stored = !cipher.enabled()
                ? Uni.createFrom().item(List.of())
                : subject == null || subject.equals(ANY_SUBJECT)
                        ? WebhookSecret.<WebhookSecret>list("sender = ?1 and subject = ?2", sender, ANY_SUBJECT)
                        : WebhookSecret.<WebhookSecret>list("sender = ?1 and subject in (?2, ?3)", sender, subject, ANY_SUBJECT);
        return stored.map(rows -> {
            List<WebhookSecret> specific = rows.stream().filter(r -> !r.subject.equals(ANY_SUBJECT)).toList();
            if (!specific.isEmpty()) {
                return open(specific);
            }
            List<String> all = new ArrayList<>(open(rows));
            all.addAll(configured(sender));
            return all;
        });
    }

    private List<String> open(List<WebhookSecret> rows) {
        return rows.stream().map(r -> cipher.open(new SecretCipher.Sealed(r.nonce, r.ciphertext), aad(r.sender, r.subject))).toList();
    }

    List<String> configured(String sender) {
        WebhookConfig.Sender configured = config.senders().get(sender);
        return Optional.ofNullable(configured).flatMap(WebhookConfig.Sender::secrets)
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    /** Stores a new secret; fails with {@link TooManySecretsException} when two are active already. Runs in a transaction. */
    public Uni<WebhookSecret> add(String sender, String subject, String secret) {
        return WebhookSecret.count("sender = ?1 and subject = ?2", sender, subject).chain(count -> {
            if (count >= MAX_ACTIVE) {
                return Uni.createFrom().failure(new TooManySecretsException(sender, subject));
            }
            SecretCipher.Sealed sealed = cipher.seal(secret, aad(sender, subject));
            WebhookSecret row = new WebhookSecret();
            row.id = UUID.randomUUID();
            row.sender = sender;
            row.subject = subject;
            row.nonce = sealed.nonce();
            row.ciphertext = sealed.ciphertext();
            row.createdAt = OffsetDateTime.now();
            return row.persist();
        });
    }

    private static String aad(String sender, String subject) {
        return sender + "\n" + subject;
    }

    /** A third secret for one sender and subject: rotation keeps at most two. */
    public static class TooManySecretsException extends RuntimeException {
        public TooManySecretsException(String sender, String subject) {
            super(sender + " already has " + MAX_ACTIVE + " active secrets for " + subject + "; delete the old one first");
        }
    }
}
