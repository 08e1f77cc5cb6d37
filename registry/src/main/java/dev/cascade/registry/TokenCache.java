package dev.cascade.registry;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code Authorization} header that worked per registry and repository, until it expires, so that each lookup
 * is one request while it lasts. Bounded: when full, expired entries go, and if none has expired, all do.
 */
final class TokenCache {

    private static final int MAX_CACHED = 512;

    private record Authorization(String header, Instant expires) {
    }

    private final Map<String, Authorization> authorizations = new ConcurrentHashMap<>();

    /** The header still valid for a key, or null. */
    String get(String key) {
        Authorization cached = authorizations.get(key);
        return cached != null && cached.expires().isAfter(Instant.now()) ? cached.header() : null;
    }

    /** Keeps a header until it expires; one that has expired already is not kept. */
    void put(String key, String header, Instant expires) {
        if (!expires.isAfter(Instant.now())) {
            return;
        }
        if (authorizations.size() >= MAX_CACHED) {
            Instant now = Instant.now();
            authorizations.values().removeIf(a -> !a.expires().isAfter(now));
            if (authorizations.size() >= MAX_CACHED) {
                authorizations.clear();
            }
        }
        authorizations.put(key, new Authorization(header, expires));
    }

    void remove(String key) {
        authorizations.remove(key);
    }
}
