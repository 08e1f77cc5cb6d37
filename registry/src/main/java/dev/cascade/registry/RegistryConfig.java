package dev.cascade.registry;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * {@code cascade.registry.*} as every service using {@link RegistryClient} reads it: where to ask registries and with
 * which credentials. Both stay text here and are read by {@link RegistrySettings}, whose errors name the registry and
 * never a password. A mapping owns its prefix: a service with this module may put no other key under
 * {@code cascade.registry}.
 */
@ConfigMapping(prefix = "cascade.registry")
public interface RegistryConfig {

    /** {@code registry=base-url,…} ({@code CASCADE_REGISTRY_ENDPOINTS}). */
    Optional<String> endpoints();

    /** {@code registry=user:password,…} ({@code CASCADE_REGISTRY_CREDENTIALS}). */
    Optional<String> credentials();

    /**
     * {@code alias=canonical,…} ({@code CASCADE_REGISTRY_ALIASES}): read for every service by the messaging module's
     * {@code RegistryAliasesProducer}, and named here only because a mapping must know every property under its prefix.
     */
    Optional<String> aliases();
}
