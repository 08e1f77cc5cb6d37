package dev.cascade.registry;

import dev.cascade.common.image.ImageRef;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.function.Function;

/**
 * Which registries and hosts a lookup may reach. Image names come from webhook payloads, some of them unsigned, so a
 * name alone never makes Cascade send a request: a registry is asked only when an operator named it (an endpoint,
 * credentials, {@code cascade.registry.allow}) or the service uses it (the images its graph builds from and pushes).
 * A registry allowed only by use must resolve to public addresses: never loopback, link-local, site-local, unique-local,
 * carrier-grade NAT, wildcard or multicast ones, unless the service reaches it over plain HTTP as builds do (the
 * insecure registries an operator listed). A token realm must be on the registry's own host or a host an operator
 * named, and a redirect is held to the same address rule as the registry that sent it.
 */
final class RegistryAccess {

    /** Docker Hub's registry sends its clients to this token service. */
    private static final String DOCKER_HUB_AUTH = "auth.docker.io";

    private final RegistrySettings settings;
    private final Function<String, Uni<Boolean>> inUse;

    /** @param inUse whether the service uses a registry (canonical name); asked only for registries no operator named */
    RegistryAccess(RegistrySettings settings, Function<String, Uni<Boolean>> inUse) {
        this.settings = settings;
        this.inUse = inUse;
    }

    /** Whether {@code registry} may be asked at {@code base}; a failure with {@link RegistryNotAllowedException} if not. */
    Uni<Void> registry(String registry, URI base) {
        if (settings.configured(registry)) {
            return Uni.createFrom().voidItem();
        }
        return inUse.apply(registry).chain(used -> used
                ? publicUnlessPlain(registry, base.getHost())
                : Uni.createFrom().failure(new RegistryNotAllowedException("registry " + registry
                        + " is not asked: no endpoint, credentials or cascade.registry.allow names it, and nothing here uses it")));
    }

    /** Whether the token realm a registry's challenge names may be asked. */
    Uni<Void> realm(String registry, URI base, URI realm) {
        String host = realm.getHost().toLowerCase(Locale.ROOT);
        boolean named = host.equalsIgnoreCase(base.getHost()) || settings.namedHost(host)
                || ImageRef.DOCKER_HUB.equals(RegistrySettings.key(registry)) && host.equals(DOCKER_HUB_AUTH);
        if (!named) {
            return Uni.createFrom().failure(new RegistryNotAllowedException("registry " + registry + " names a token service on "
                    + host + ", which is neither its own host nor one cascade.registry.allow names"));
        }
        return settings.configured(registry) ? Uni.createFrom().voidItem() : publicUnlessPlain(registry, host);
    }

    /** Whether a redirect of a lookup at {@code registry} may be followed to {@code target}. */
    Uni<Void> redirect(String registry, URI target) {
        return settings.configured(registry) ? Uni.createFrom().voidItem() : publicUnlessPlain(registry, target.getHost());
    }

    private Uni<Void> publicUnlessPlain(String registry, String host) {
        if (settings.plainHttp(registry)) {
            return Uni.createFrom().voidItem();
        }
        // name resolution blocks: off the caller's event loop
        return Uni.createFrom().item(() -> privateAddress(host))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(found -> found == null ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new RegistryNotAllowedException("registry " + registry + " is not asked: " + host
                                + " resolves to " + found + ", a private address (name the registry in cascade.registry.endpoints or "
                                + "cascade.registry.allow to reach it)")));
    }

    /** The first address {@code host} resolves to that is not a public one, or null when all are public. */
    static String privateAddress(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return null; // the request fails on its own, without reaching anything
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                return a.getHostAddress();
            }
        }
        return null;
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // fc00::/7, unique local
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return !(first == 0 || first == 100 && second >= 64 && second < 128 || first == 192 && second == 0 && (b[2] & 0xff) == 0
                || first >= 240);
    }
}
