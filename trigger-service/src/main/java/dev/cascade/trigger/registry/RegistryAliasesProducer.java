package dev.cascade.trigger.registry;

import dev.cascade.common.image.RegistryAliases;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The configured registry aliases ({@code cascade.registry.aliases}), read once for everything that parses image references. */
public class RegistryAliasesProducer {

    @Produces
    @Singleton
    RegistryAliases registryAliases(@ConfigProperty(name = "cascade.registry.aliases") Optional<String> aliases) {
        return RegistryAliases.parse(aliases.orElse(""));
    }
}
