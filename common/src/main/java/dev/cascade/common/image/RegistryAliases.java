package dev.cascade.common.image;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Names under which one registry is reachable ({@code localhost:5000}, {@code 127.0.0.1:5000},
 * {@code registry.internal:5000}) mapped to the one canonical name Cascade uses for it.
 * Configured once and applied wherever an image reference is parsed.
 */
public final class RegistryAliases {

    /** No aliases: every registry host stands for itself. */
    public static final RegistryAliases NONE = new RegistryAliases(Map.of());

    private final Map<String, String> canonicalByAlias;

    private RegistryAliases(Map<String, String> canonicalByAlias) {
        this.canonicalByAlias = Map.copyOf(canonicalByAlias);
    }

    /** Aliases from a map of alias host to canonical host; hosts are compared case-insensitively. */
    public static RegistryAliases of(Map<String, String> canonicalByAlias) {
        Map<String, String> normalised = new LinkedHashMap<>();
        canonicalByAlias.forEach((alias, canonical) -> {
            String a = alias.trim().toLowerCase(Locale.ROOT);
            String c = canonical.trim().toLowerCase(Locale.ROOT);
            if (a.isEmpty() || c.isEmpty()) {
                throw new IllegalArgumentException("registry alias with an empty side: '" + alias + "=" + canonical + "'");
            }
            if (!a.equals(c)) {
                normalised.put(a, c);
            }
        });
        normalised.forEach((alias, canonical) -> {
            if (normalised.containsKey(canonical)) {
                throw new IllegalArgumentException("registry alias chain: " + alias + " -> " + canonical
                        + " -> " + normalised.get(canonical) + " (map every alias straight to the canonical name)");
            }
        });
        return new RegistryAliases(normalised);
    }

    /**
     * Parses the configuration form {@code alias=canonical,alias2=canonical}; blank means none.
     */
    public static RegistryAliases parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("registry alias must be alias=canonical: '" + entry.trim() + "'");
            }
            map.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return of(map);
    }

    /** The canonical name for a registry host (itself when it is no alias). */
    public String canonical(String registry) {
        String key = registry.toLowerCase(Locale.ROOT);
        return canonicalByAlias.getOrDefault(key, key);
    }

    public Map<String, String> asMap() {
        return canonicalByAlias;
    }
}
