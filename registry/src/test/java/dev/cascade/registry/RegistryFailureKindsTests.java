package dev.cascade.registry;

import static dev.cascade.registry.RegistryClientTests.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpHandler;
import dev.cascade.registry.RegistryClientTests.StandIn;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A lookup's failure says what kind it is, so that a caller pacing its requests can tell throttling, server errors,
 * refusals and an unreachable registry apart, and knows how long a registry asked to be left alone.
 */
class RegistryFailureKindsTests {

    static final String DIGEST = "sha256:" + "d".repeat(64);

    @Test
    void tooManyRequestsCarriesTheStatusAndTheSecondsOfRetryAfter() throws IOException {
        HttpHandler throttled = exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "120");
            respond(exchange, 429, null);
        };
        try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", throttled))) {
            RegistryLookupException e = failure(registry, "team/app", "v1");
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.throttled()).isTrue();
            assertThat(e.serverError()).isFalse();
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
            assertThat(e).hasMessageContaining("answered HTTP 429");
        }
    }

    @Test
    void retryAfterAsAnHttpDateIsTheWaitUntilThatDate() throws IOException {
        Instant at = Instant.now().plusSeconds(600);
        HttpHandler throttled = exchange -> {
            exchange.getResponseHeaders().add("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atOffset(ZoneOffset.UTC)));
            respond(exchange, 429, null);
        };
        try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", throttled))) {
            Duration wait = failure(registry, "team/app", "v1").retryAfter().orElseThrow();
            assertThat(wait).isBetween(Duration.ofSeconds(590), Duration.ofSeconds(600));
        }
    }

    @Test
    void aServerErrorIsNotThrottlingAndHasNoWaitUnlessTheRegistryNamesOne() throws IOException {
        try (StandIn registry = StandIn.start(Map.of(
                "/v2/team/app/manifests/v1", exchange -> respond(exchange, 502, null),
                "/v2/team/busy/manifests/v1", exchange -> {
                    exchange.getResponseHeaders().add("Retry-After", "30");
                    respond(exchange, 503, null);
                }))) {
            RegistryLookupException bad = failure(registry, "team/app", "v1");
            assertThat(bad.status()).isEqualTo(502);
            assertThat(bad.serverError()).isTrue();
            assertThat(bad.throttled()).isFalse();
            assertThat(bad.retryAfter()).isEmpty();
            RegistryLookupException busy = failure(registry, "team/busy", "v1");
            assertThat(busy.serverError()).isTrue();
            assertThat(busy.retryAfter()).contains(Duration.ofSeconds(30));
        }
    }

    @Test
    void refusedCredentialsAreUnauthorizedAndADeniedRepositoryIsForbidden() throws IOException {
        HttpHandler basic = exchange -> {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"stand-in\"");
            respond(exchange, 401, null);
        };
        try (StandIn registry = StandIn.start(Map.of(
                "/v2/team/app/manifests/v1", basic,
                "/v2/team/denied/manifests/v1", exchange -> respond(exchange, 403, null)))) {
            RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()),
                    Map.of(registry.name(), new RegistryLogin("ci", "wrong")));
            RegistryLookupException refused = failure(client, registry, "team/app", "v1");
            assertThat(refused.unauthorized()).isTrue();
            assertThat(refused.status()).isEqualTo(401);
            RegistryLookupException denied = failure(client, registry, "team/denied", "v1");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.unauthorized()).isFalse();
        }
    }

    @Test
    void aTokenServiceThatThrottlesIsThrottlingToo() throws IOException {
        AtomicInteger tokenRequests = new AtomicInteger();
        try (StandIn tokens = StandIn.start(Map.of("/token", exchange -> {
            tokenRequests.incrementAndGet();
            exchange.getResponseHeaders().add("Retry-After", "7");
            respond(exchange, 429, null);
        }))) {
            HttpHandler challenge = exchange -> {
                exchange.getResponseHeaders().add("WWW-Authenticate",
                        "Bearer realm=\"" + tokens.base() + "/token\",service=\"stand-in\",scope=\"repository:team/app:pull\"");
                respond(exchange, 401, null);
            };
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", challenge))) {
                RegistryLookupException e = failure(registry, "team/app", "v1");
                assertThat(e.throttled()).isTrue();
                assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                assertThat(tokenRequests).hasValue(1);
            }
        }
    }

    @Test
    void anUnreachableRegistryHasNoStatus() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String name = "127.0.0.1:" + port;
        RegistryClient client = new RegistryClient(Map.of(name, URI.create("http://" + name)), Map.of());
        RegistryLookupException e = catchThrowableOfType(RegistryLookupException.class,
                () -> client.resolveDigest(name, "team/app", "v1").await().atMost(RegistryClientTests.WAIT));
        assertThat(e.unreachable()).isTrue();
        assertThat(e.status()).isEqualTo(RegistryLookupException.NO_STATUS);
        assertThat(e.throttled() || e.serverError() || e.unauthorized()).isFalse();
    }

    @Test
    void aMissingTagIsNotFound() throws IOException {
        try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", exchange -> respond(exchange, 404, null)))) {
            RegistryLookupException e = failure(registry, "team/app", "v1");
            assertThat(e).isInstanceOf(TagNotFoundException.class);
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.unreachable()).isFalse();
        }
    }

    @Test
    void retryAfterIsReadInBothFormsAndAnythingElseIsNoWait() {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        assertThat(RetryAfter.parse(" 45 ", now)).isEqualTo(Duration.ofSeconds(45));
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 10:02:30 GMT", now)).isEqualTo(Duration.ofSeconds(150));
        assertThat(RetryAfter.parse("Mon, 07 Dec 2026 09:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isNull();
        assertThat(RetryAfter.parse("-5", now)).isNull();
        assertThat(RetryAfter.parse("", now)).isNull();
        assertThat(RetryAfter.parse("99999999999999999999999", now)).isNull();
    }

    private static RegistryLookupException failure(StandIn registry, String repository, String tag) {
        return failure(new RegistryClient(Map.of(registry.name(), registry.base()), Map.of()), registry, repository, tag);
    }

    private static RegistryLookupException failure(RegistryClient client, StandIn registry, String repository, String tag) {
        return catchThrowableOfType(RegistryLookupException.class,
                () -> client.resolveDigest(registry.name(), repository, tag).await().atMost(RegistryClientTests.WAIT));
    }
}
