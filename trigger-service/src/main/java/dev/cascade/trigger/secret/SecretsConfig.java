package dev.cascade.trigger.secret;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** {@code cascade.secrets.*}: the key stored webhook secrets are encrypted with. */
@ConfigMapping(prefix = "cascade.secrets")
public interface SecretsConfig {

    /** 32 bytes, base64 ({@code CASCADE_SECRETS_KEY}); without it secrets come from configuration only. */
    Optional<String> key();
}
