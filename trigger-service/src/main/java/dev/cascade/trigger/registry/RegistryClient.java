package dev.cascade.trigger.registry;

import dev.cascade.common.hash.Sha256;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks a registry which digest a tag points at, through the OCI distribution API, for senders whose webhooks report
 * none (Docker Hub, Quay). Answers bearer-token and basic challenges with the credentials configured per registry.
 */
@ApplicationScoped
public class RegistryClient {

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** Indexes first: the digest a tag points at is the index's, never one platform's manifest. */
    static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final String DOCKER_HUB = "docker.io";
    private static final URI DOCKER_HUB_API = URI.create("https://registry-1.docker.io");
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_CACHED = 512;
    /** Tokens without {@code expires_in} live 60 s (distribution token spec); renew a little early. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
    private static final Duration BASIC_LIFETIME = Duration.ofHours(1);

    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    /** A challenge's {@code param=value} (value quoted or not), or an auth scheme's name. */
    private static final Pattern CHALLENGE_TOKEN = Pattern.compile(
            "([A-Za-z][\\w-]*)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,\"]*))|([A-Za-z][\\w!#$%&'*+.^`|~-]*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Credentials for one registry; {@link #toString()} never shows the password. */
    public record Login(String user, String password) {

        public Login {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        String basic() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=***]";
        }
    }

    private record Authorization(String header, Instant expires) {
    }

    /** One challenge of a {@code WWW-Authenticate} header: {@code bearer} with realm, service and scope, or {@code basic}. */
    record Challenge(String scheme, Map<String, String> params) {
    }

    /** One resolution: what is asked, and where. */
    private record Lookup(String registry, String repository, String tag, URI manifest) {
        String image() {
            return registry + "/" + repository + ":" + tag;
        }

        String cacheKey() {
            return registry + "/" + repository;
        }
    }

    private final Map<String, URI> endpoints;
    private final Map<String, Login> logins;
    private final HttpClient http;
    /** Authorization that worked per registry/repository, so each lookup is one request while it lasts. */
    private final Map<String, Authorization> authorizations = new ConcurrentHashMap<>();

    @Inject
    public RegistryClient(@ConfigProperty(name = "cascade.registry.endpoints") Optional<String> endpoints,
                          @ConfigProperty(name = "cascade.registry.credentials") Optional<String> credentials) {
        this(parseEndpoints(endpoints.orElse("")), parseCredentials(credentials.orElse("")));
    }

    /**
     * @param endpoints base URL per canonical registry name; registries without one are reached at
     *                  {@code https://<registry>} (Docker Hub at {@code https://registry-1.docker.io})
     * @param logins    credentials per canonical registry name, for those that need them
     */
    public RegistryClient(Map<String, URI> endpoints, Map<String, Login> logins) {
        Map<String, URI> e = new LinkedHashMap<>();
        endpoints.forEach((name, url) -> e.put(registryKey(name), withoutTrailingSlash(url)));
        Map<String, Login> l = new LinkedHashMap<>();
        logins.forEach((name, login) -> l.put(registryKey(name), login));
        this.endpoints = Map.copyOf(e);
        this.logins = Map.copyOf(l);
        // redirects are followed by hand: the JDK would carry the Authorization header to any host
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The digest ({@code sha256:…}) {@code registry/repository:tag} points at now.
     *
     * @param registry canonical registry name ({@code docker.io}, {@code localhost:5000})
     * @return the digest, or a failure with {@link RegistryLookupException} (an unknown tag, a refusal, an
     *         unreachable registry), or {@link IllegalArgumentException} for names that are not image names
     */
    public Uni<String> resolveDigest(String registry, String repository, String tag) {
        if (registry == null || !HOST.matcher(registry).matches()) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a registry name: " + registry));
        }
        if (repository == null || !REPOSITORY.matcher(repository).matches()) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a repository name: " + repository));
        }
        if (tag == null || !TAG.matcher(tag).matches()) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a tag: " + tag));
        }
        String name = registryKey(registry);
        Lookup lookup = new Lookup(name, repository, tag,
                URI.create(baseUrl(name) + "/v2/" + repository + "/manifests/" + tag));
        return Uni.createFrom().deferred(() -> {
            Authorization cached = authorizations.get(lookup.cacheKey());
            String authorization = cached != null && cached.expires().isAfter(Instant.now()) ? cached.header() : null;
            Uni<String> digest = attempt(lookup, "HEAD", authorization, false)
                    .onFailure(t -> !(t instanceof RegistryLookupException))
                    .transform(t -> failure(lookup, t))
                    .invoke(d -> Log.debugf("%s resolved to %s", lookup.image(), d));
            // the JDK client completes on its own threads; a caller on a Vert.x context (a reactive transaction
            // next) must get the answer back there
            Context context = Vertx.currentContext();
            return context == null ? digest : digest.emitOn(task -> context.runOnContext(ignored -> task.run()));
        });
    }

    /** The base URL lookups for a registry go to: configured, or the registry's own name over HTTPS. */
    public URI baseUrl(String registry) {
        String name = registryKey(registry);
        URI configured = endpoints.get(name);
        if (configured != null) {
            return configured;
        }
        return name.equals(DOCKER_HUB) ? DOCKER_HUB_API : URI.create("https://" + name);
    }

    /**
     * Parses {@code cascade.registry.endpoints}: {@code registry=base-url,…}, e.g.
     * {@code docker.io=https://registry-1.docker.io,localhost:5000=http://localhost:5000}.
     */
    public static Map<String, URI> parseEndpoints(String spec) {
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
            endpoints.put(registryKey(registry), withoutTrailingSlash(uri));
        }
        return endpoints;
    }

    /**
     * Parses {@code cascade.registry.credentials}: {@code registry=user:password,…}. Error messages name the
     * registry, never the entry, which holds a password.
     */
    public static Map<String, Login> parseCredentials(String spec) {
        Map<String, Login> logins = new LinkedHashMap<>();
        List<String> entries = entries(spec);
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            int eq = entry.indexOf('=');
            int colon = eq < 0 ? -1 : entry.indexOf(':', eq + 1);
            if (eq <= 0 || colon <= eq + 1) {
                throw new IllegalArgumentException("cascade.registry.credentials: entry " + (i + 1)
                        + (eq > 0 ? " (" + entry.substring(0, eq).trim() + ")" : "") + " is not registry=user:password");
            }
            logins.put(registryKey(entry.substring(0, eq).trim()),
                    new Login(entry.substring(eq + 1, colon).trim(), entry.substring(colon + 1)));
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

    /** One request for the manifest; on a challenge, the same again with the authorization it asks for. */
    private Uni<String> attempt(Lookup lookup, String method, String authorization, boolean challenged) {
        return exchange(method, lookup.manifest(), authorization, ACCEPT, 0).onItem().transformToUni(response -> {
            int status = response.statusCode();
            if (status == 200) {
                return digestOf(lookup, method, authorization, challenged, response);
            }
            if (status == 401 && !challenged) {
                authorizations.remove(lookup.cacheKey());
                return authorize(lookup, response).chain(a -> attempt(lookup, method, a, true));
            }
            if (status == 401) {
                return fail(logins.containsKey(lookup.registry())
                        ? "registry " + lookup.registry() + " refused the configured credentials for " + lookup.repository()
                        : "registry " + lookup.registry() + " requires credentials for " + lookup.repository()
                        + "; none are configured (cascade.registry.credentials)");
            }
            if (status == 404) {
                return Uni.createFrom().failure(new TagNotFoundException("tag not found: " + lookup.image()));
            }
            if (status == 403) {
                return fail("registry " + lookup.registry() + " denies access to " + lookup.repository());
            }
            return fail("registry " + lookup.registry() + " answered HTTP " + status + " to " + method + " " + lookup.manifest());
        });
    }

    private Uni<String> digestOf(Lookup lookup, String method, String authorization, boolean challenged, HttpResponse<byte[]> response) {
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest").map(String::trim).filter(s -> !s.isEmpty());
        if (header.isPresent()) {
            if (!DIGEST.matcher(header.get()).matches()) {
                return fail("registry " + lookup.registry() + " answered an invalid digest for " + lookup.image());
            }
            return Uni.createFrom().item(header.get());
        }
        if (method.equals("HEAD")) {
            // the header is optional in the OCI spec; the manifest's own bytes name it as well
            return attempt(lookup, "GET", authorization, challenged);
        }
        return Uni.createFrom().item("sha256:" + Sha256.hex(response.body()));
    }

    /** The Authorization header a 401's challenge asks for: a bearer token from its realm, or basic credentials. */
    private Uni<String> authorize(Lookup lookup, HttpResponse<byte[]> unauthorized) {
        List<Challenge> challenges = challenges(unauthorized.headers().allValues("WWW-Authenticate"));
        Login login = logins.get(lookup.registry());
        for (Challenge c : challenges) {
            if (c.scheme().equals("bearer")) {
                return token(lookup, c, login);
            }
        }
        for (Challenge c : challenges) {
            if (c.scheme().equals("basic")) {
                if (login == null) {
                    return fail("registry " + lookup.registry() + " requires credentials for " + lookup.repository()
                            + "; none are configured (cascade.registry.credentials)");
                }
                String header = login.basic();
                remember(lookup, header, Instant.now().plus(BASIC_LIFETIME));
                return Uni.createFrom().item(header);
            }
        }
        return fail("registry " + lookup.registry() + " answered 401 without a bearer or basic challenge");
    }

    /** A pull token from the challenge's realm (distribution token auth), with basic credentials when configured. */
    private Uni<String> token(Lookup lookup, Challenge challenge, Login login) {
        String realm = challenge.params().get("realm");
        URI realmUri;
        try {
            realmUri = realm == null ? null : URI.create(realm);
        } catch (IllegalArgumentException e) {
            realmUri = null;
        }
        if (realmUri == null || realmUri.getHost() == null
                || !("https".equalsIgnoreCase(realmUri.getScheme()) || "http".equalsIgnoreCase(realmUri.getScheme()))) {
            return fail("registry " + lookup.registry() + " names no usable token realm in its challenge");
        }
        String scope = challenge.params().getOrDefault("scope", "repository:" + lookup.repository() + ":pull");
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        query.append(query.length() == 0 ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        String base = realmUri.toString();
        URI tokenUri = URI.create(base + (realmUri.getRawQuery() == null ? "?" : "&") + query);
        String basic = login == null ? null : login.basic();
        return exchange("GET", tokenUri, basic, "application/json", 0).onItem().transformToUni(response -> {
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                return fail("the token service of registry " + lookup.registry() + " refused "
                        + (login == null ? "an anonymous request" : "the configured credentials") + " for " + lookup.repository());
            }
            if (response.statusCode() != 200) {
                return fail("the token service of registry " + lookup.registry() + " answered HTTP " + response.statusCode());
            }
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = null;
            }
            String token = body == null ? null : firstText(body, "token", "access_token");
            if (token == null) {
                return fail("the token service of registry " + lookup.registry() + " answered no token");
            }
            long lifetime = body.path("expires_in").canConvertToLong() && body.path("expires_in").asLong() > 0
                    ? body.path("expires_in").asLong() : 60;
            String header = "Bearer " + token;
            remember(lookup, header, Instant.now().plusSeconds(lifetime).minus(TOKEN_MARGIN));
            return Uni.createFrom().item(header);
        });
    }

    private void remember(Lookup lookup, String header, Instant expires) {
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
        authorizations.put(lookup.cacheKey(), new Authorization(header, expires));
    }

    /**
     * One HTTP exchange, following redirects by hand: the Authorization header goes only to the origin it was
     * meant for, never to the storage or CDN host a registry may redirect to.
     */
    private Uni<HttpResponse<byte[]>> exchange(String method, URI uri, String authorization, String accept, int hops) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", accept);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                .onItem().transformToUni(response -> {
                    int status = response.statusCode();
                    Optional<String> location = response.headers().firstValue("Location");
                    if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && location.isPresent()) {
                        if (hops >= MAX_REDIRECTS) {
                            return fail("more than " + MAX_REDIRECTS + " redirects from " + request.uri().getHost());
                        }
                        URI next = uri.resolve(location.get().trim());
                        return exchange(method, next, sameOrigin(uri, next) ? authorization : null, accept, hops + 1);
                    }
                    return Uni.createFrom().item(response);
                });
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** Challenges of {@code WWW-Authenticate} values, scheme in lower case; one value may hold several. */
    static List<Challenge> challenges(List<String> values) {
        List<Challenge> challenges = new ArrayList<>();
        for (String value : values) {
            Matcher m = CHALLENGE_TOKEN.matcher(value);
            Map<String, String> params = null;
            while (m.find()) {
                if (m.group(4) != null) {
                    params = new LinkedHashMap<>();
                    challenges.add(new Challenge(m.group(4).toLowerCase(Locale.ROOT), params));
                } else if (params != null) {
                    params.put(m.group(1).toLowerCase(Locale.ROOT),
                            m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3));
                }
            }
        }
        return challenges;
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

    /** A transport failure as a lookup failure; the message says what happened, the cause keeps the details. */
    private static RegistryLookupException failure(Lookup lookup, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RegistryLookupException e) {
            return e;
        }
        String what;
        if (cause instanceof HttpTimeoutException) {
            what = "did not answer in time";
        } else if (cause instanceof ConnectException) {
            what = "cannot be reached";
        } else {
            what = "cannot be asked";
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new RegistryLookupException("registry " + lookup.registry() + " " + what + " for " + lookup.image() + " (" + detail + ")", cause);
    }

    private static <T> Uni<T> fail(String message) {
        return Uni.createFrom().failure(new RegistryLookupException(message));
    }

    /** Registry names compare as hosts do; Docker Hub's other names mean docker.io. */
    private static String registryKey(String registry) {
        String name = registry.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> DOCKER_HUB;
            default -> name;
        };
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
    }
}
