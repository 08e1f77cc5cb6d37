package dev.cascade.trigger.provider;

import dev.cascade.trigger.webhook.WebhookConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a repository manager serves its repositories as a registry ({@code cascade.webhooks.<sender>.registries}):
 * Nexus and Artifactory name the repository a push went to ({@code docker-hosted}), not the host an image is pulled
 * from, which is set per repository in the manager (a connector port, a subdomain, a path) and so is configuration
 * here: {@code docker-hosted=nexus.example.com:8443,docker-local=art.example.com/docker-local}.
 */
record RepositoryRegistries(Map<String, String> byRepository) {

    static final RepositoryRegistries NONE = new RepositoryRegistries(Map.of());

    RepositoryRegistries {
        byRepository = Map.copyOf(byRepository);
    }

    /** The registries configured for one sender; none when nothing is. */
    static RepositoryRegistries of(WebhookConfig config, String sender) {
        return Optional.ofNullable(config.senders().get(sender)).flatMap(WebhookConfig.Sender::registries)
                .map(RepositoryRegistries::parse).orElse(NONE);
    }

    /**
     * Parses {@code repository=registry[/path],…}; blank means none.
     *
     * @throws IllegalArgumentException naming an entry without both sides, so a mistake stops the service at start
     */
    static RepositoryRegistries parse(String spec) {
        Map<String, String> map = new LinkedHashMap<>();
        if (spec != null) {
            for (String entry : spec.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                String repository = eq < 0 ? "" : entry.substring(0, eq).trim();
                String registry = eq < 0 ? "" : RegistrySender.stripScheme(entry.substring(eq + 1)).replaceAll("/+$", "");
                if (repository.isEmpty() || registry.isEmpty()) {
                    throw new IllegalArgumentException("a repository's registry must be repository=registry[/path]: '" + entry.trim() + "'");
                }
                map.put(repository, registry);
            }
        }
        return new RepositoryRegistries(map);
    }

    /** The registry (with any path) that serves a repository; null when none is configured for it. */
    String registry(String repository) {
        return byRepository.get(repository);
    }
}
