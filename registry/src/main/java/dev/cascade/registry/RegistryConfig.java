package dev.cascade.registry;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * {@code cascade.registry.*} as every service using {@link RegistryClient} reads it: where to ask registries and with
 * which credentials. Both stay text here and are read by {@link RegistrySettings}, whose errors name the registry and
 * never a password. A service with this module puts any other key under {@code cascade.registry} in a mapping of its
 * own with the same prefix (build-service's report verification does), so that every key there is known.
 */
@ConfigMapping(prefix = "cascade.registry")
public interface RegistryConfig {

    /** {@code registry=base-url,…} ({@code CASCADE_REGISTRY_ENDPOINTS}). */
    Optional<String> endpoints();

    /** {@code registry=user:password,…} ({@code CASCADE_REGISTRY_CREDENTIALS}). */
    Optional<String> credentials();

    /**
     * {@code registry,…} ({@code CASCADE_REGISTRY_ALLOW}): registries (and token-service hosts) that may be asked besides
     * those with a configured endpoint or credentials and those a service says it uses; see {@link RegistryAccess}.
     */
    Optional<String> allow();

    /**
     * {@code alias=canonical,…} ({@code CASCADE_REGISTRY_ALIASES}): read for every service by the messaging module's
     * {@code RegistryAliasesProducer}, and named here only because a mapping must know every property under its prefix.
     */
    Optional<String> aliases();
}
