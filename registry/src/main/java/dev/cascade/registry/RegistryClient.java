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

/**
 * Asks a registry which digest a tag points at, through the OCI distribution API. Answers bearer-token and basic
 * challenges with the credentials configured per registry ({@link RegistryAuthorizer}), over {@link RegistryHttp},
 * reusing what worked while it lasts ({@link TokenCache}).
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
    private final RegistryHttp http = new RegistryHttp();
    private final TokenCache tokens = new TokenCache();
    private final RegistryAuthorizer authorizer = new RegistryAuthorizer(http, tokens);

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

    private RegistryClient(RegistrySettings settings) {
        this.settings = settings;
    }

    /**
     * The digest ({@code sha256:…}) {@code registry/repository:tag} points at now.
     *
     * @param registry canonical registry name ({@code docker.io}, {@code localhost:5000})
     * @return the digest, or a failure with {@link RegistryLookupException} (an unknown tag, a refusal, an
     *         unreachable registry), or {@link IllegalArgumentException} for names that are not image names
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
        ManifestLookup lookup = new ManifestLookup(ref,
                URI.create(baseUrl(ref.registry()) + "/v2/" + ref.repository() + "/manifests/" + ref.tag()));
        return Uni.createFrom().deferred(() -> {
            Uni<String> digest = attempt(lookup, "HEAD", tokens.get(lookup.cacheKey()), false)
                    .onFailure(t -> !(t instanceof RegistryLookupException))
                    .transform(lookup::failure)
                    .invoke(d -> Log.debugf("%s resolved to %s", lookup.image(), d));
            // the JDK client completes on its own threads; a caller on a Vert.x context (a reactive transaction
            // next) must get the answer back there
            Context context = Vertx.currentContext();
            return context == null ? digest : digest.emitOn(task -> context.runOnContext(ignored -> task.run()));
        });
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

    /** One request for the manifest; on a challenge, the same again with the authorization it asks for. */
    private Uni<String> attempt(ManifestLookup lookup, String method, String authorization, boolean challenged) {
        return http.exchange(method, lookup.manifest(), authorization, ACCEPT).onItem().transformToUni(response -> {
            int status = response.statusCode();
            if (status == 200) {
                return digestOf(lookup, method, authorization, challenged, response);
            }
            if (status == 401 && !challenged) {
                tokens.remove(lookup.cacheKey());
                return authorizer.authorize(lookup, settings.login(lookup.registry()), response)
                        .chain(a -> attempt(lookup, method, a, true));
            }
            if (status == 401) {
                return lookup.fail(settings.login(lookup.registry()) != null
                        ? "registry " + lookup.registry() + " refused the configured credentials for " + lookup.repository()
                        : "registry " + lookup.registry() + " requires credentials for " + lookup.repository()
                        + "; none are configured (cascade.registry.credentials)");
            }
            if (status == 404) {
                return Uni.createFrom().failure(new TagNotFoundException("tag not found: " + lookup.image()));
            }
            if (status == 403) {
                return lookup.fail("registry " + lookup.registry() + " denies access to " + lookup.repository());
            }
            return lookup.fail("registry " + lookup.registry() + " answered HTTP " + status + " to " + method + " " + lookup.manifest());
        });
    }

    private Uni<String> digestOf(ManifestLookup lookup, String method, String authorization, boolean challenged,
                                 HttpResponse<byte[]> response) {
        Optional<String> header = response.headers().firstValue("Docker-Content-Digest").map(String::trim).filter(s -> !s.isEmpty());
        if (header.isPresent()) {
            if (!isDigest(lookup, header.get())) {
                return lookup.fail("registry " + lookup.registry() + " answered an invalid digest for " + lookup.image());
            }
            return Uni.createFrom().item(header.get());
        }
        if (method.equals("HEAD")) {
            // the header is optional in the OCI spec; the manifest's own bytes name it as well
            return attempt(lookup, "GET", authorization, challenged);
        }
        return Uni.createFrom().item("sha256:" + Sha256.hex(response.body()));
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
