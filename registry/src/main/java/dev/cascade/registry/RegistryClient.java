package dev.cascade.registry;

import dev.cascade.common.hash.Sha256;
import dev.cascade.common.image.ImageRef;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Asks a registry about an image through the OCI distribution API: which digest a tag points at now, and whether a
 * manifest is there under a digest. Answers bearer-token and basic challenges with the credentials configured per
 * registry ({@link RegistryAuthorizer}), over {@link RegistryHttp}, reusing what worked while it lasts
 * ({@link TokenCache}).
 */
@ApplicationScoped
public class RegistryClient {

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** Indexes first: the digest a tag points at is the index's, never one platform's manifest. */
    static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

    private final RegistrySettings settings;
    private final Function<String, Uni<Boolean>> inUse;
    private final RegistryAccess access;
    private final RegistryHttp http;
    private final TokenCache tokens = new TokenCache();
    private final RegistryAuthorizer authorizer;

    /** What a manifest request's answer means to its caller, once any challenge has been answered. */
    @FunctionalInterface
    private interface Reading<T> {
        Uni<T> read(String method, HttpResponse<byte[]> response, String authorization, boolean challenged);
    }

    @Inject
    public RegistryClient(RegistryConfig config) {
        this(RegistrySettings.of(config));
    }

    /**
     * @param endpoints base URL per canonical registry name; registries without one are reached at
     *                  {@code https://<registry>} (Docker Hub at {@code https://registry-1.docker.io})
     * @param logins    credentials per canonical registry name, for those that need them
     */
    public RegistryClient(Map<String, URI> endpoints, Map<String, RegistryLogin> logins) {
        this(new RegistrySettings(endpoints, logins));
    }

    RegistryClient(RegistrySettings settings) {
        this(settings, registry -> Uni.createFrom().item(false));
    }

    private RegistryClient(RegistrySettings settings, Function<String, Uni<Boolean>> inUse) {
        this.settings = settings;
        this.inUse = inUse;
        this.access = new RegistryAccess(settings, inUse);
        this.http = new RegistryHttp();
        this.authorizer = new RegistryAuthorizer(http, tokens, access);
    }

    /**
     * A client with the same endpoints and credentials that reaches registries without a configured endpoint over plain
     * HTTP when {@code plainHttp} says so: for a service that already knows which registries it speaks to insecurely.
     */
    public RegistryClient withPlainHttp(Predicate<String> plainHttp) {
        return new RegistryClient(settings.withPlainHttp(plainHttp), inUse);
    }

    /**
     * A client that also asks registries no operator named when {@code inUse} says the service uses them (a canonical
     * registry name in, true or false out), provided they resolve to public addresses or are reached over plain HTTP
     * ({@link #withPlainHttp}). Without it, only registries with an endpoint, credentials or a
     * {@code cascade.registry.allow} entry are asked; any other lookup fails with {@link RegistryNotAllowedException}
     * before a request is sent.
     */
    public RegistryClient withAllowed(Function<String, Uni<Boolean>> inUse) {
        return new RegistryClient(settings, inUse);
    }

    /**
     * The digest ({@code sha256:…}) {@code registry/repository:tag} points at now.
     *
     * @param registry canonical registry name ({@code docker.io}, {@code localhost:5000})
     * @return the digest, or a failure with {@link RegistryLookupException} (an unknown tag, a refusal, an
     *         unreachable registry; its status and {@code Retry-After} tell throttling, server errors and refusals
     *         apart), or {@link IllegalArgumentException} for names that are not image names
     */
    public Uni<String> resolveDigest(String registry, String repository, String tag) {
        ImageRef ref;
        try {
            ref = tagged(registry, repository, tag);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(e);
        }
        return resolveDigest(ref);
    }

    /** The digest the reference's tag points at now; see {@link #resolveDigest(String, String, String)}. */
    public Uni<String> resolveDigest(ImageRef ref) {
        if (ref.tag() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a tagged reference: " + ref));
        }
        ManifestLookup lookup = ManifestLookup.of(ref.withDigest(null), ref.tag(), baseUrl(ref.registry()));
        return ask(lookup, (method, response, authorization, challenged) -> digestOf(lookup, method, response, authorization, challenged))
                .invoke(d -> Log.debugf("%s resolved to %s", lookup.image(), d));
    }

    /**
     * Whether the registry holds a manifest under the reference's digest in the reference's repository, asked with
     * {@code HEAD /v2/<repository>/manifests/<digest>}: what confirms that a push arrived. The tag, if any, is not
     * looked at.
     *
     * @return true when the registry answers 200, false when it answers 404; a failure with
     *         {@link RegistryLookupException} for a refusal, any other answer or an unreachable registry, or with
     *         {@link IllegalArgumentException} for a reference without a digest
     */
    public Uni<Boolean> hasManifest(ImageRef ref) {
        if (ref.digest() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("not a reference with a digest: " + ref));
        }
        ManifestLookup lookup = ManifestLookup.of(new ImageRef(ref.registry(), ref.repository(), null, ref.digest()), ref.digest(),
                baseUrl(ref.registry()));
        return ask(lookup, (method, response, authorization, challenged) -> presenceOf(lookup, method, response))
                .invoke(found -> Log.debugf("%s %s", lookup.image(), found ? "is in its registry" : "is not in its registry"));
    }

    /** The base URL lookups for a registry go to: configured, or the registry's own name over HTTPS. */
    public URI baseUrl(String registry) {
        return settings.baseUrl(registry);
    }

    /**
     * The reference the three names make, read as every image reference is ({@link ImageRef}); refused when one
     * part would be read as another (a registry name with a path, a tag with a separator) or is no name at all.
     */
    static ImageRef tagged(String registry, String repository, String tag) {
        if (registry == null || repository == null || tag == null) {
            throw new IllegalArgumentException("not an image name: " + registry + "/" + repository + ":" + tag);
        }
        ImageRef ref = ImageRef.parse(registry + "/" + repository + ":" + tag);
        if (!ref.registry().equals(RegistrySettings.key(registry))) {
            throw new IllegalArgumentException("not a registry name: " + registry);
        }
        if (!tag.equals(ref.tag()) || ref.digest() != null) {
            throw new IllegalArgumentException("not a tag: " + tag);
        }
        return ref;
    }

    /**
     * {@code HEAD} for the lookup's manifest with the authorization that worked last, read by {@code reading}; every
     * failure a lookup failure, delivered on the caller's Vert.x context when it has one.
     */
    private <T> Uni<T> ask(ManifestLookup lookup, Reading<T> reading) {
        return Uni.createFrom().deferred(() -> {
            Uni<T> answer = access.registry(lookup.registry(), lookup.manifest())
                    .chain(() -> attempt(lookup, "HEAD", tokens.get(lookup.cacheKey()), false, reading))
                    .onFailure(t -> !(t instanceof RegistryLookupException))
                    .transform(lookup::failure);
            // the JDK client completes on its own threads; a caller on a Vert.x context (a reactive transaction
            // next) must get the answer back there
            Context context = Vertx.currentContext();
            return context == null ? answer : answer.emitOn(task -> context.runOnContext(ignored -> task.run()));
        });
    }

    /** One request for the manifest; on a challenge, the same again with the authorization it asks for. */
    private <T> Uni<T> attempt(ManifestLookup lookup, String method, String authorization, boolean challenged, Reading<T> reading) {
        return http.exchange(method, lookup.manifest(), authorization, ACCEPT, target -> access.redirect(lookup.registry(), target)).onItem().transformToUni(response -> {
            int status = response.statusCode();
            if (status == 401 && !challenged) {
                tokens.remove(lookup.cacheKey());
                return authorizer.authorize(lookup, settings.login(lookup.registry()), response)
                        .chain(a -> attempt(lookup, method, a, true, reading));
            }
            if (status == 401) {
                return lookup.fail(settings.login(lookup.registry()) != null
                        ? "registry " + lookup.registry() + " refused the configured credentials for " + lookup.repository()
                        : "registry " + lookup.registry() + " requires credentials for " + lookup.repository()
                        + "; none are configured (cascade.registry.credentials)", response);
            }
            if (status == 403) {
                return lookup.fail("registry " + lookup.registry() + " denies access to " + lookup.repository(), response);
            }
            return reading.read(method, response, authorization, challenged);
        });
    }

    /** A tag's answer: its digest, from the header or else from the manifest's own bytes. */
    private Uni<String> digestOf(ManifestLookup lookup, String method, HttpResponse<byte[]> response, String authorization,
                                 boolean challenged) {
        int status = response.statusCode();
        if (status == 404) {
            return Uni.createFrom().failure(new TagNotFoundException("tag not found: " + lookup.image()));
        }
        if (status != 200) {
            return lookup.fail("registry " + lookup.registry() + " answered HTTP " + status + " to " + method + " " + lookup.manifest(),
                    response);
        }
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest").map(String::trim).filter(s -> !s.isEmpty());
        if (header.isPresent()) {
            if (!isDigest(lookup, header.get())) {
                return lookup.fail("registry " + lookup.registry() + " answered an invalid digest for " + lookup.image());
            }
            return Uni.createFrom().item(header.get());
        }
        if (method.equals("HEAD")) {
            // the header is optional in the OCI spec; the manifest's own bytes name it as well
            return attempt(lookup, "GET", authorization, challenged, (m, r, a, c) -> digestOf(lookup, m, r, a, c));
        }
        return Uni.createFrom().item("sha256:" + Sha256.hex(response.body()));
    }

    /** A digest's answer: there (200) or not (404); anything else says nothing about it. */
    private static Uni<Boolean> presenceOf(ManifestLookup lookup, String method, HttpResponse<byte[]> response) {
        return switch (response.statusCode()) {
            case 200 -> Uni.createFrom().item(true);
            case 404 -> Uni.createFrom().item(false);
            default -> lookup.fail("registry " + lookup.registry() + " answered HTTP " + response.statusCode() + " to " + method
                    + " " + lookup.manifest(), response);
        };
    }

    /** Whether the registry's answer is a digest as image references take one. */
    private static boolean isDigest(ManifestLookup lookup, String digest) {
        try {
            ImageRef.parse(lookup.ref().name() + "@" + digest);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
