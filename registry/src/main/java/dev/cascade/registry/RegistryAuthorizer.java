package dev.cascade.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Answers a registry's {@code 401}: with a pull token from the realm its bearer challenge names (distribution token
 * authentication, with basic credentials when configured), else with basic credentials. What it gets is kept in the
 * {@link TokenCache} for the repository.
 */
final class RegistryAuthorizer {

    /** Tokens without {@code expires_in} live 60 s (distribution token spec); renew a little early. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
    private static final Duration BASIC_LIFETIME = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryHttp http;
    private final TokenCache tokens;
    private final RegistryAccess access;

    RegistryAuthorizer(RegistryHttp http, TokenCache tokens, RegistryAccess access) {
        this.http = http;
        this.tokens = tokens;
        this.access = access;
    }

    /** The Authorization header a 401's challenge asks for: a bearer token from its realm, or basic credentials. */
    Uni<String> authorize(ManifestLookup lookup, RegistryLogin login, HttpResponse<byte[]> unauthorized) {
        List<AuthChallenge> challenges = AuthChallenge.parse(unauthorized.headers().allValues("WWW-Authenticate"));
        AuthChallenge bearer = AuthChallenge.first(challenges, "bearer");
        if (bearer != null) {
            return token(lookup, bearer, login);
        }
        if (AuthChallenge.first(challenges, "basic") != null) {
            if (login == null) {
                return lookup.fail("registry " + lookup.registry() + " requires credentials for " + lookup.repository()
                        + "; none are configured (cascade.registry.credentials)", unauthorized);
            }
            String header = login.basic();
            tokens.put(lookup.cacheKey(), header, Instant.now().plus(BASIC_LIFETIME));
            return Uni.createFrom().item(header);
        }
        return lookup.fail("registry " + lookup.registry() + " answered 401 without a bearer or basic challenge", unauthorized);
    }

    /** A pull token from the challenge's realm (distribution token auth), with basic credentials when configured. */
    private Uni<String> token(ManifestLookup lookup, AuthChallenge challenge, RegistryLogin login) {
        URI tokenUri = tokenUri(lookup, challenge);
        if (tokenUri == null) {
            return lookup.fail("registry " + lookup.registry() + " names no usable token realm in its challenge");
        }
        String basic = login == null ? null : login.basic();
        return access.realm(lookup.registry(), lookup.manifest(), tokenUri)
                .chain(() -> http.exchange("GET", tokenUri, basic, "application/json", target -> access.redirect(lookup.registry(), target)))
                .onItem().transformToUni(response -> {
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                return lookup.fail("the token service of registry " + lookup.registry() + " refused "
                        + (login == null ? "an anonymous request" : "the configured credentials") + " for " + lookup.repository(), response);
            }
            if (response.statusCode() != 200) {
                return lookup.fail("the token service of registry " + lookup.registry() + " answered HTTP " + response.statusCode(),
                        response);
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = null;
            }
            String token = body == null ? null : firstText(body, "token", "access_token");
            if (token == null) {
                return lookup.fail("the token service of registry " + lookup.registry() + " answered no token");
            }
            long lifetime = body.path("expires_in").canConvertToLong() && body.path("expires_in").asLong() > 0
                    ? body.path("expires_in").asLong() : 60;
            String header = "Bearer " + token;
            tokens.put(lookup.cacheKey(), header, Instant.now().plusSeconds(lifetime).minus(TOKEN_MARGIN));
            return Uni.createFrom().item(header);
        });
    }

    /** The realm with the service and scope the challenge names (a pull of the repository when it names none); null when the realm is no http(s) URL. */
    private static URI tokenUri(ManifestLookup lookup, AuthChallenge challenge) {
        String realm = challenge.params().get("realm");
        URI realmUri;
        try {
            realmUri = realm == null ? null : URI.create(realm);
        } catch (IllegalArgumentException e) {
            realmUri = null;
        }
        if (realmUri == null || realmUri.getHost() == null
                || !("https".equalsIgnoreCase(realmUri.getScheme()) || "http".equalsIgnoreCase(realmUri.getScheme()))) {
            return null;
        }
        String scope = challenge.params().getOrDefault("scope", "repository:" + lookup.repository() + ":pull");
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        query.append(query.length() == 0 ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        return URI.create(realmUri + (realmUri.getRawQuery() == null ? "?" : "&") + query);
    }

    private static String firstText(JsonNode body, String... fields) {
        for (String field : fields) {
            JsonNode n = body.get(field);
            if (n != null && n.isTextual() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return null;
    }
}
