package dev.cascade.trigger.webhook;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code cascade.webhooks.*}: the limit every delivery is held to, and what is configured per sender. */
@ConfigMapping(prefix = "cascade.webhooks")
public interface WebhookConfig {

    /** Larger bodies are answered {@code 413} ({@code CASCADE_WEBHOOKS_MAX_BODY_SIZE}). */
    @WithDefault("5M")
    MemorySize maxBodySize();

    /**
     * Deliveries taken in at once, across senders ({@code CASCADE_WEBHOOKS_MAX_IN_FLIGHT}); one more is answered
     * {@code 503} with {@code Retry-After} and not stored, so its sender delivers it again later.
     */
    @WithDefault("64")
    int maxInFlight();

    /** The {@code Retry-After} of a delivery refused because too many are in flight ({@code CASCADE_WEBHOOKS_BUSY_RETRY_AFTER}). */
    @WithDefault("5s")
    Duration busyRetryAfter();

    /** {@code cascade.webhooks.<sender>.*} by sender name ({@code github}, {@code distribution}, …). */
    @WithParentName
    Map<String, Sender> senders();

    /** What is configured for one sender. */
    interface Sender {

        /**
         * Secrets for every repository or image of the sender, comma-separated; two while one is rotated
         * ({@code CASCADE_WEBHOOKS_<SENDER>_SECRETS}).
         */
        Optional<String> secrets();

        /**
         * For senders whose payload names a repository of theirs rather than the registry an image is pulled from
         * (Nexus, Artifactory): {@code repository=registry-host[/path],…}, the registry (and path in it) that serves
         * each of their repositories ({@code CASCADE_WEBHOOKS_<SENDER>_REGISTRIES}).
         */
        Optional<String> registries();
    }
}
