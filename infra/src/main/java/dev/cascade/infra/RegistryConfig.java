package dev.cascade.infra;

import java.nio.file.Path;

/**
 * The configuration file of a CNCF Distribution registry ({@code docker-registry serve FILE}) as Cascade runs one:
 * storing under a directory, listening on a loopback port, and optionally notifying trigger-service of pushes.
 *
 * @param address       the address it listens on: 127.0.0.1, or another loopback address
 * @param deletable     whether images may be deleted through the registry's API
 * @param notifications whom the registry tells of pushes; null for nobody
 */
public record RegistryConfig(Path storage, String address, int port, boolean deletable, Notifications notifications) {

    /** A registry listening on 127.0.0.1. */
    public RegistryConfig(Path storage, int port, boolean deletable, Notifications notifications) {
        this(storage, "127.0.0.1", port, deletable, notifications);
    }

    /**
     * The registry's notification endpoint: the URL it posts events to with {@code Authorization: Bearer token},
     * how many failures make it back off, and for how long.
     *
     * @param includeReferences whether events name the layers and manifests an image refers to
     */
    public record Notifications(String url, String token, int threshold, int backoffSeconds, boolean includeReferences) {
    }

    /** The file's YAML. */
    public String yaml() {
        StringBuilder yaml = new StringBuilder("""
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                """.formatted(storage));
        if (deletable) {
            yaml.append("""
                      delete:
                        enabled: true
                    """);
        }
        yaml.append("""
                http:
                  addr: %s:%d
                """.formatted(address, port));
        if (notifications != null) {
            yaml.append("notifications:\n");
            if (notifications.includeReferences()) {
                yaml.append("""
                          events:
                            includereferences: true
                        """);
            }
            yaml.append("""
                      endpoints:
                        - name: cascade
                          url: %s
                          headers:
                            Authorization: [Bearer %s]
                          timeout: 5s
                          threshold: %d
                          backoff: %ds
                          ignoredmediatypes:
                            - application/octet-stream
                    """.formatted(notifications.url(), notifications.token(), notifications.threshold(), notifications.backoffSeconds()));
        }
        return yaml.toString();
    }
}
