package dev.cascade.registry;

import dev.cascade.common.image.ImageRef;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What is configured per registry: the base URL lookups go to and the credentials they present. Keys are canonical
 * registry names, compared as hosts are, with Docker Hub's other names meaning {@code docker.io}.
 */
final class RegistrySettings {

    private static final URI DOCKER_HUB_API = URI.create("https://registry-1.docker.io");

    private final Map<String, URI> endpoints;
    private final Map<String, RegistryLogin> logins;
    private final Predicate<String> plainHttp;
    private final java.util.Set<String> allowed;

    /**
     * @param endpoints base URL per registry name; registries without one are reached at {@code https://<registry>}
     *                  (Docker Hub at {@code https://registry-1.docker.io})
     * @param logins    credentials per registry name, for those that need them
     */
    RegistrySettings(Map<String, URI> endpoints, Map<String, RegistryLogin> logins) {
        this(endpoints, logins, registry -> false);
    }

    /** @param plainHttp which registries without a configured endpoint are reached at {@code http://<registry>} */
    RegistrySettings(Map<String, URI> endpoints, Map<String, RegistryLogin> logins, Predicate<String> plainHttp) {
        this(endpoints, logins, plainHttp, java.util.Set.of());
    }

    /** @param allowed registries (and token-service hosts) that may be asked without an endpoint or credentials */
    RegistrySettings(Map<String, URI> endpoints, Map<String, RegistryLogin> logins, Predicate<String> plainHttp,
                     java.util.Collection<String> allowed) {
        this.plainHttp = plainHttp;
        this.allowed = allowed.stream().map(RegistrySettings::key).collect(java.util.stream.Collectors.toUnmodifiableSet());
        Map<String, URI> e = new LinkedHashMap<>();
        endpoints.forEach((name, url) -> e.put(key(name), withoutTrailingSlash(url)));
        Map<String, RegistryLogin> l = new LinkedHashMap<>();
        logins.forEach((name, login) -> l.put(key(name), login));
        this.endpoints = Map.copyOf(e);
        this.logins = Map.copyOf(l);
    }

    /** The same settings, with unconfigured registries matching {@code plainHttp} reached over plain HTTP. */
    RegistrySettings withPlainHttp(Predicate<String> plainHttp) {
        return new RegistrySettings(endpoints, logins, plainHttp, allowed);
    }

    static RegistrySettings of(RegistryConfig config) {
        return new RegistrySettings(parseEndpoints(config.endpoints().orElse("")), parseCredentials(config.credentials().orElse("")),
                registry -> false, entries(config.allow().orElse("")));
    }

    /**
     * Whether an operator named this registry: it has an endpoint or credentials, or is listed in
     * {@code cascade.registry.allow} (by its name, or by its host alone for every port). Such a registry may be asked wherever it is, private addresses included.
     */
    boolean configured(String registry) {
        String name = key(registry);
        // an allowed name without a port allows its host on every port, as insecure registries are listed
        return endpoints.containsKey(name) || logins.containsKey(name) || allowed.contains(name) || allowed.contains(hostOf(name));
    }

    /** Whether unconfigured lookups of this registry go over plain HTTP (the registries builds reach insecurely). */
    boolean plainHttp(String registry) {
        return plainHttp.test(key(registry));
    }

    /**
     * Whether a host (a token realm's) is one an operator named: the host of a configured endpoint, or a name in
     * {@code cascade.registry.allow}, with or without its port.
     */
    boolean namedHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return endpoints.values().stream().anyMatch(u -> h.equalsIgnoreCase(u.getHost()))
                || allowed.stream().anyMatch(a -> a.equals(h) || hostOf(a).equals(h));
    }

    /** The host part of a registry name ({@code host}, {@code host:port}, {@code [v6]:port}). */
    static String hostOf(String registry) {
        String name = key(registry);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return end > 0 ? name.substring(1, end) : name;
        }
        int colon = name.lastIndexOf(':');
        return colon > 0 && name.indexOf(':') == colon ? name.substring(0, colon) : name;
    }

    /** The base URL lookups for a registry go to: configured, or the registry's own name over HTTPS. */
    URI baseUrl(String registry) {
        String name = key(registry);
        URI configured = endpoints.get(name);
        if (configured != null) {
            return configured;
        }
        if (name.equals(ImageRef.DOCKER_HUB)) {
            return DOCKER_HUB_API;
        }
        return URI.create((plainHttp.test(name) ? "http://" : "https://") + name);
    }

    /** The credentials configured for a registry, or null. */
    RegistryLogin login(String registry) {
        return logins.get(key(registry));
    }

    /**
     * Parses {@code cascade.registry.endpoints}: {@code registry=base-url,…}, e.g.
     * {@code docker.io=https://registry-1.docker.io,localhost:5000=http://localhost:5000}.
     */
    static Map<String, URI> parseEndpoints(String spec) {
        Map<String, URI> endpoints = new LinkedHashMap<>();
        for (String entry : entries(spec)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("cascade.registry.endpoints: '" + entry + "' is not registry=base-url");
            }
            String registry = entry.substring(0, eq).trim();
            String url = entry.substring(eq + 1).trim();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cascade.registry.endpoints: '" + url + "' is not a URL");
            }
            if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("cascade.registry.endpoints: '" + url + "' is not an http(s) URL");
            }
            endpoints.put(key(registry), withoutTrailingSlash(uri));
        }
        return endpoints;
    }

    /**
     * Parses {@code cascade.registry.credentials}: {@code registry=user:password,…}. Error messages name the
     * registry, never the entry, which holds a password.
     */
    static Map<String, RegistryLogin> parseCredentials(String spec) {
        Map<String, RegistryLogin> logins = new LinkedHashMap<>();
        List<String> entries = entries(spec);
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            int eq = entry.indexOf('=');
            int colon = eq < 0 ? -1 : entry.indexOf(':', eq + 1);
            if (eq <= 0 || colon <= eq + 1) {
                throw new IllegalArgumentException("cascade.registry.credentials: entry " + (i + 1)
                        + (eq > 0 ? " (" + entry.substring(0, eq).trim() + ")" : "") + " is not registry=user:password");
            }
            logins.put(key(entry.substring(0, eq).trim()),
                    new RegistryLogin(entry.substring(eq + 1, colon).trim(), entry.substring(colon + 1)));
        }
        return logins;
    }

    private static List<String> entries(String spec) {
        List<String> entries = new ArrayList<>();
        if (spec == null) {
            return entries;
        }
        for (String entry : spec.split(",")) {
            if (!entry.isBlank()) {
                entries.add(entry.trim());
            }
        }
        return entries;
    }

    /** Registry names compare as hosts do; Docker Hub's other names mean docker.io. */
    static String key(String registry) {
        String name = registry.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> ImageRef.DOCKER_HUB;
            default -> name;
        };
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
    }
}
