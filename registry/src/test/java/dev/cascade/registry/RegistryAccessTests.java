package dev.cascade.registry;

import static dev.cascade.registry.RegistryClientTests.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import dev.cascade.registry.RegistryClientTests.StandIn;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which hosts a lookup may reach: a registry named only by an image name (as a webhook payload names it) is asked only
 * when an operator named it or the service uses it, never on a private address unless an operator named it, and a
 * token realm only on the registry's own host or one an operator named. Each refusal is checked with a listener that
 * must receive nothing.
 */
class RegistryAccessTests {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    /** A TCP listener that counts the connections it is offered and answers none. */
    static final class Listener implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();

        Listener(String host) throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(host, 0));
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "listener");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static String resolve(RegistryClient client, String registry) {
        return client.resolveDigest(registry, "team/app", "v1").await().atMost(WAIT);
    }

    @Test
    void aRegistryNoOperatorNamedIsNotAsked() throws IOException {
        try (Listener target = new Listener("127.0.0.1")) {
            String named = "127.0.0.1:" + target.port();
            assertThatThrownBy(() -> resolve(new RegistryClient(Map.of(), Map.of()), named))
                    .isInstanceOf(RegistryNotAllowedException.class).hasMessageContaining("cascade.registry.allow");
            assertThat(target.connections).hasValue(0);
        }
    }

    @Test
    void aRegistryInUseOnAPrivateAddressIsNotAskedUnlessReachedOverPlainHttp() throws IOException {
        try (Listener target = new Listener("127.0.0.1")) {
            String named = "127.0.0.1:" + target.port();
            RegistryClient used = new RegistryClient(Map.of(), Map.of()).withAllowed(r -> Uni.createFrom().item(r.equals(named)));
            assertThatThrownBy(() -> resolve(used, named))
                    .isInstanceOf(RegistryNotAllowedException.class).hasMessageContaining("private address");
            assertThat(target.connections).hasValue(0);
        }
        try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", exchange -> {
            exchange.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
            respond(exchange, 200, null);
        }))) {
            RegistryClient insecure = new RegistryClient(Map.of(), Map.of())
                    .withAllowed(r -> Uni.createFrom().item(true))
                    .withPlainHttp(r -> r.equals(registry.name()));
            assertThat(resolve(insecure, registry.name())).isEqualTo(DIGEST);
        }
    }

    @Test
    void aTokenRealmOnAHostNoOperatorNamedIsNotAsked() throws IOException {
        // the realm names localhost, which is not the registry's host 127.0.0.1
        try (Listener realm = new Listener(InetAddress.getByName("localhost").getHostAddress());
             StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1",
                     challenging("http://localhost:" + realm.port() + "/token")))) {
            RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
            assertThatThrownBy(() -> resolve(client, registry.name()))
                    .isInstanceOf(RegistryNotAllowedException.class).hasMessageContaining("token service on localhost");
            assertThat(realm.connections).hasValue(0);

            RegistryClient allowed = new RegistryClient(new RegistrySettings(Map.of(registry.name(), registry.base()), Map.of(),
                    r -> false, List.of("localhost")));
            assertThatThrownBy(() -> resolve(allowed, registry.name())).isInstanceOf(RegistryLookupException.class)
                    .isNotInstanceOf(RegistryNotAllowedException.class);
            assertThat(realm.connections.get()).as("requests the allowed realm received").isPositive();
        }
    }

    @Test
    void privateLoopbackLinkLocalAndUniqueLocalAddressesAreNotPublic() throws IOException {
        for (String address : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1", "fc00::1", "::")) {
            assertThat(RegistryAccess.isPublic(InetAddress.getByName(address))).as(address).isFalse();
        }
        for (String address : List.of("8.8.8.8", "151.101.1.1", "2001:4860:4860::8888")) {
            assertThat(RegistryAccess.isPublic(InetAddress.getByName(address))).as(address).isTrue();
        }
    }

    static HttpHandler challenging(String realm) {
        return exchange -> {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"stand-in\"");
            respond(exchange, 401, null);
        };
    }
}
