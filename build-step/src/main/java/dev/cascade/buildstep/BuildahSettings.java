package dev.cascade.buildstep;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How buildah runs and reaches registries.
 *
 * @param storageRoot        buildah's image storage (vfs); {@code storage} and {@code run} are made under it
 * @param insecureRegistries registries spoken to over plain HTTP or with unverified TLS (host or host:port), comma-separated
 * @param credentials        push and pull credentials by registry, {@code user:password}; empty when buildah finds
 *                           them itself (an auth file named by {@code REGISTRY_AUTH_FILE})
 * @param pushAttempts       attempts of a push that fails for a transient reason
 */
public record BuildahSettings(Path storageRoot, String insecureRegistries, Map<String, String> credentials, int pushAttempts) {

    public BuildahSettings {
        credentials = Map.copyOf(credentials);
    }

    /** {@code registry=user:password,...}, as configured. */
    public static Map<String, String> parseCredentials(String spec) {
        Map<String, String> m = new HashMap<>();
        for (String e : spec == null ? new String[0] : spec.split(",")) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                m.put(e.substring(0, eq).trim().toLowerCase(), e.substring(eq + 1).trim());
            }
        }
        return m;
    }

    /** Whether a registry (host or host:port) is spoken to without TLS verification. */
    public boolean insecure(String registry) {
        return listed(insecureRegistries, registry);
    }

    /** Whether a list of registries ({@code host} or {@code host:port}, comma-separated) names a registry, or its host. */
    public static boolean listed(String registries, String registry) {
        String host = registry.contains(":") && !registry.startsWith("[") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return Arrays.stream(registries.split(",")).map(String::trim)
                .anyMatch(r -> r.equalsIgnoreCase(registry) || r.equalsIgnoreCase(host));
    }
}
