package dev.cascade.registry;

import io.smallrye.mutiny.Uni;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP exchanges with registries and their token services, following redirects by hand: the JDK would carry the
 * {@code Authorization} header to any host, and it must go only to the origin it was meant for, never to the
 * storage or CDN host a registry may redirect to.
 */
final class RegistryHttp {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * One exchange without a body; a redirect is followed, with the authorization only when it stays on the origin, and
     * only once {@code redirects} has let its target through.
     */
    Uni<HttpResponse<byte[]>> exchange(String method, URI uri, String authorization, String accept, Function<URI, Uni<Void>> redirects) {
        return exchange(method, uri, authorization, accept, redirects, 0);
    }

    private Uni<HttpResponse<byte[]>> exchange(String method, URI uri, String authorization, String accept,
                                               Function<URI, Uni<Void>> redirects, int hops) {
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
                            return Uni.createFrom().failure(new RegistryLookupException(
                                    "more than " + MAX_REDIRECTS + " redirects from " + request.uri().getHost()));
                        }
                        URI next;
                        try {
                            next = uri.resolve(location.get().trim());
                        } catch (IllegalArgumentException e) {
                            return Uni.createFrom().failure(new RegistryLookupException("a redirect from " + uri.getHost() + " to no URL"));
                        }
                        if (next.getHost() == null) {
                            return Uni.createFrom().failure(new RegistryLookupException("a redirect from " + uri.getHost() + " to no host"));
                        }
                        return redirects.apply(next).chain(() -> exchange(method, next, sameOrigin(uri, next) ? authorization : null,
                                accept, redirects, hops + 1));
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
}
