package dev.cascade.trigger.registry;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * {@code cascade.registry.*} as trigger-service reads it: where to ask registries for a tag's digest and with which
 * credentials. Both stay text here and are read by {@link RegistrySettings}, whose errors name the registry and never
 * a password. ({@code cascade.registry.aliases} is read by the messaging module.)
 */
@ConfigMapping(prefix = "cascade.registry")
public interface RegistryConfig {

    /** {@code registry=base-url,…} ({@code CASCADE_REGISTRY_ENDPOINTS}). */
    Optional<String> endpoints();

    /** {@code registry=user:password,…} ({@code CASCADE_REGISTRY_CREDENTIALS}). */
    Optional<String> credentials();
}
