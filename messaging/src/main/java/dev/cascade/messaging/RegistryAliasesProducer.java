package dev.cascade.messaging;

import dev.cascade.common.image.RegistryAliases;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configured registry aliases ({@code cascade.registry.aliases}), read once per service for everything that
 * canonicalises image references, so every event and every comparison names an image the same way.
 */
public class RegistryAliasesProducer {

    @Produces
    @Singleton
    RegistryAliases registryAliases(@ConfigProperty(name = "cascade.registry.aliases") Optional<String> aliases) {
        return RegistryAliases.parse(aliases.orElse(""));
    }
}
