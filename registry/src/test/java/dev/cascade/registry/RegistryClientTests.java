package dev.cascade.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.cascade.common.image.ImageRef;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest look-up against real CNCF Distribution registries (Debian's {@code docker-registry}): one open, one
 * behind token authentication whose token service is this test; and against small stand-ins for what those
 * cannot show (basic challenges, registries that omit the digest header, redirects, failures).
 */
class RegistryClientTests {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    @TempDir
    static Path work;

    static LocalDistribution open;
    static TokenService tokens;
    static LocalDistribution secured;

    /** Digests the open registry reported when the test pushed them. */
    static String ociDigest;
    static String dockerDigest;
    static String indexDigest;
    static String securedDigest;

    @BeforeAll
    static void startRegistriesAndPush() throws Exception {
        open = LocalDistribution.start(work.resolve("open"), "");
        Image image = Image.pushTo(open, "apps/hello", null);
        ociDigest = image.pushManifest("1", OCI_MANIFEST, image.ociManifest());
        dockerDigest = image.pushManifest("docker", DOCKER_MANIFEST, image.dockerManifest());
        indexDigest = image.pushManifest("multi", OCI_INDEX, image.index(ociDigest, image.ociManifest().length));

        tokens = TokenService.start(work.resolve("tokens"));
        secured = LocalDistribution.start(work.resolve("secured"), """
                auth:
                  token:
                    realm: %s
                    service: cascade-test
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(tokens.realm(), TokenService.ISSUER, tokens.bundle));
        String pushToken = "Bearer " + tokens.jwt(List.of("repository:secure/app:pull,push"));
        Image secure = Image.pushTo(secured, "secure/app", pushToken);
        securedDigest = secure.pushManifest("1", OCI_MANIFEST, secure.ociManifest());
    }

    @AfterAll
    static void stopRegistries() {
        for (AutoCloseable c : new AutoCloseable[] {open, secured, tokens}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the others still need stopping
                }
            }
        }
    }

    static RegistryClient client(LocalDistribution registry, RegistryLogin login) {
        return new RegistryClient(Map.of(registry.name(), registry.base()),
                login == null ? Map.of() : Map.of(registry.name(), login));
    }

    static String resolve(RegistryClient client, String registry, String repository, String tag) {
        return client.resolveDigest(registry, repository, tag).await().atMost(WAIT);
    }

    static boolean has(RegistryClient client, String reference) {
        return client.hasManifest(ImageRef.parse(reference)).await().atMost(WAIT);
    }

    @Nested
    class AgainstARealRegistry {

        @Test
        void resolvesExactlyTheDigestTheRegistryReportedForAPushedOciManifest() {
            String digest = resolve(client(open, null), open.name(), "apps/hello", "1");
            assertThat(digest).isEqualTo(ociDigest).matches("sha256:[0-9a-f]{64}");
        }

        @Test
        void resolvesADockerSchema2Manifest() {
            assertThat(resolve(client(open, null), open.name(), "apps/hello", "docker")).isEqualTo(dockerDigest);
        }

        @Test
        void resolvesTheIndexItselfNotOneOfItsPlatformManifests() {
            assertThat(resolve(client(open, null), open.name(), "apps/hello", "multi")).isEqualTo(indexDigest).isNotEqualTo(ociDigest);
        }

        @Test
        void answersAndFailuresArriveOnTheCallersVertxContext() throws Exception {
            Vertx vertx = Vertx.vertx();
            try {
                Context context = vertx.getOrCreateContext();
                RegistryClient client = client(open, null);
                CompletableFuture<String> digest = new CompletableFuture<>();
                CompletableFuture<Throwable> failure = new CompletableFuture<>();
                context.runOnContext(ignored -> {
                    client.resolveDigest(open.name(), "apps/hello", "1").subscribe().with(
                            d -> digest.complete(Vertx.currentContext() == context ? d : "answered off the context"),
                            digest::completeExceptionally);
                    client.resolveDigest(open.name(), "apps/hello", "no-such-tag").subscribe().with(
                            d -> failure.complete(null),
                            t -> failure.complete(Vertx.currentContext() == context ? t : new AssertionError("failed off the context")));
                });
                assertThat(digest.get(30, TimeUnit.SECONDS)).isEqualTo(ociDigest);
                assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(RegistryLookupException.class);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }

        @Test
        void aMissingTagFailsWithRegistryLookupException() {
            assertThatThrownBy(() -> resolve(client(open, null), open.name(), "apps/hello", "no-such-tag"))
                    .isInstanceOf(RegistryLookupException.class)
                    .hasMessage("tag not found: " + open.name() + "/apps/hello:no-such-tag");
        }

        @Test
        void aMissingRepositoryFailsWithRegistryLookupException() {
            assertThatThrownBy(() -> resolve(client(open, null), open.name(), "apps/nothing-here", "1"))
                    .isInstanceOf(RegistryLookupException.class).hasMessageContaining("tag not found");
        }

        @Test
        void bearerTokenIsFetchedWithTheConfiguredCredentialsAndReusedWhileValid() {
            RegistryClient client = client(secured, new RegistryLogin(TokenService.USER, TokenService.PASSWORD));
            int before = tokens.requests.size();
            assertThat(resolve(client, secured.name(), "secure/app", "1")).isEqualTo(securedDigest);
            assertThat(resolve(client, secured.name(), "secure/app", "1")).isEqualTo(securedDigest);

            List<TokenService.Request> asked = tokens.requests.subList(before, tokens.requests.size());
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).authorization()).isEqualTo(TokenService.BASIC);
            assertThat(asked.get(0).service()).isEqualTo("cascade-test");
            assertThat(asked.get(0).scopes()).containsExactly("repository:secure/app:pull");
        }

        @Test
        void withoutCredentialsTheTokenIsAskedForAnonymously() {
            int before = tokens.requests.size();
            assertThatThrownBy(() -> resolve(client(secured, null), secured.name(), "secure/app", "1"))
                    .isInstanceOf(RegistryLookupException.class)
                    .hasMessageContaining("refused an anonymous request for secure/app");
            assertThat(tokens.requests.subList(before, tokens.requests.size()))
                    .extracting(TokenService.Request::authorization).containsExactly((String) null);
        }

        @Test
        void publicRepositoryBehindTokenAuthNeedsNoCredentials() {
            // the token service grants anonymous pulls outside secure/: the registry then answers 404 for what is not there
            assertThatThrownBy(() -> resolve(client(secured, null), secured.name(), "public/app", "1"))
                    .isInstanceOf(RegistryLookupException.class).hasMessageContaining("tag not found");
        }

        @Test
        void wrongCredentialsAreRefusedWithoutBeingRepeated() {
            RegistryClient client = client(secured, new RegistryLogin(TokenService.USER, "not-the-password"));
            assertThatThrownBy(() -> resolve(client, secured.name(), "secure/app", "1"))
                    .isInstanceOf(RegistryLookupException.class)
                    .hasMessageContaining("refused the configured credentials")
                    .hasMessageNotContaining("not-the-password");
        }

        @Test
        void aMissingTagBehindTokenAuthIsStillNotFound() {
            RegistryClient client = client(secured, new RegistryLogin(TokenService.USER, TokenService.PASSWORD));
            assertThatThrownBy(() -> resolve(client, secured.name(), "secure/app", "2"))
                    .isInstanceOf(RegistryLookupException.class).hasMessageContaining("tag not found");
        }
        @Test
        void aPushedManifestIsFoundUnderItsDigestAndAMadeUpOneIsNot() {
            RegistryClient client = client(open, null);
            assertThat(has(client, open.name() + "/apps/hello@" + ociDigest)).isTrue();
            assertThat(has(client, open.name() + "/apps/hello@" + indexDigest)).isTrue();
            assertThat(has(client, open.name() + "/apps/hello@sha256:" + sha256(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8))))
                    .isFalse();
            // the repository counts: the same digest is not in another one
            assertThat(has(client, open.name() + "/apps/elsewhere@" + ociDigest)).isFalse();
        }

        @Test
        void aDigestBehindTokenAuthIsAskedForWithAPullTokenForItsRepository() {
            RegistryClient client = client(secured, new RegistryLogin(TokenService.USER, TokenService.PASSWORD));
            int before = tokens.requests.size();
            assertThat(has(client, secured.name() + "/secure/app@" + securedDigest)).isTrue();
            assertThat(has(client, secured.name() + "/secure/app@sha256:" + "0".repeat(64))).isFalse();

            List<TokenService.Request> asked = tokens.requests.subList(before, tokens.requests.size());
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).authorization()).isEqualTo(TokenService.BASIC);
            assertThat(asked.get(0).scopes()).containsExactly("repository:secure/app:pull");
        }

        @Test
        void aDigestBehindTokenAuthWithoutCredentialsIsARefusalNotAnAbsence() {
            assertThatThrownBy(() -> has(client(secured, null), secured.name() + "/secure/app@" + securedDigest))
                    .isInstanceOf(RegistryLookupException.class)
                    .hasMessageContaining("refused an anonymous request for secure/app");
        }
    }

    @Nested
    class AgainstStandIns {

        static final String DIGEST = "sha256:" + "c".repeat(64);
        static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("ci:s3cret:with:colons".getBytes(StandardCharsets.UTF_8));

        final List<String> seen = new CopyOnWriteArrayList<>();

        @Test
        void basicChallengeIsAnsweredWithTheConfiguredCredentialsOnce() throws IOException {
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", basicProtected(DIGEST)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()),
                        RegistrySettings.parseCredentials(registry.name() + "=ci:s3cret:with:colons"));
                assertThat(resolve(client, registry.name(), "team/app", "v1")).isEqualTo(DIGEST);
                assertThat(resolve(client, registry.name(), "team/app", "v1")).isEqualTo(DIGEST);
                // anonymous, challenged and answered; then straight away with what worked
                assertThat(seen).containsExactly("HEAD null", "HEAD " + BASIC, "HEAD " + BASIC);
            }
        }

        @Test
        void basicChallengeWithoutCredentialsFailsSayingWhatToConfigure() throws IOException {
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", basicProtected(DIGEST)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThatThrownBy(() -> resolve(client, registry.name(), "team/app", "v1"))
                        .isInstanceOf(RegistryLookupException.class)
                        .hasMessageContaining("requires credentials for team/app")
                        .hasMessageContaining("cascade.registry.credentials");
            }
        }

        @Test
        void refusedBasicCredentialsAreNotRepeatedInTheError() throws IOException {
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", basicProtected(DIGEST)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()),
                        Map.of(registry.name(), new RegistryLogin("ci", "wrong-password")));
                assertThatThrownBy(() -> resolve(client, registry.name(), "team/app", "v1"))
                        .isInstanceOf(RegistryLookupException.class)
                        .hasMessageContaining("refused the configured credentials")
                        .hasMessageNotContaining("wrong-password");
            }
        }

        @Test
        void digestIsComputedFromTheManifestWhenTheRegistryDoesNotSendIt() throws IOException {
            byte[] manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}".getBytes(StandardCharsets.UTF_8);
            List<String> accepts = new CopyOnWriteArrayList<>();
            HttpHandler noDigestHeader = exchange -> {
                accepts.add(exchange.getRequestHeaders().getFirst("Accept"));
                seen.add(exchange.getRequestMethod());
                exchange.getResponseHeaders().add("Content-Type", OCI_MANIFEST);
                respond(exchange, 200, exchange.getRequestMethod().equals("HEAD") ? null : manifest);
            };
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", noDigestHeader))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThat(resolve(client, registry.name(), "team/app", "v1")).isEqualTo("sha256:" + sha256(manifest));
                assertThat(seen).containsExactly("HEAD", "GET");
                assertThat(accepts).allSatisfy(accept -> assertThat(accept.split(",\\s*")).containsExactlyInAnyOrder(
                        OCI_INDEX, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json", DOCKER_MANIFEST));
            }
        }

        @Test
        void redirectToAnotherHostDoesNotCarryTheCredentials() throws IOException {
            List<String> elsewhere = new CopyOnWriteArrayList<>();
            try (StandIn mirror = StandIn.start(Map.of("/mirror/team/app/v1", exchange -> {
                elsewhere.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
                respond(exchange, 200, null);
            }))) {
                HttpHandler redirecting = exchange -> {
                    if (!BASIC.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"stand-in\"");
                        respond(exchange, 401, null);
                        return;
                    }
                    // another origin: localhost is not 127.0.0.1, and the port differs too
                    exchange.getResponseHeaders().add("Location", "http://localhost:" + mirror.port() + "/mirror/team/app/v1");
                    respond(exchange, 307, null);
                };
                try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", redirecting))) {
                    RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()),
                            Map.of(registry.name(), new RegistryLogin("ci", "s3cret:with:colons")));
                    assertThat(resolve(client, registry.name(), "team/app", "v1")).isEqualTo(DIGEST);
                    assertThat(elsewhere).containsExactly("null");
                }
            }
        }

        @Test
        void serverErrorsAreLookupFailures() throws IOException {
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", exchange -> respond(exchange, 503, null)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThatThrownBy(() -> resolve(client, registry.name(), "team/app", "v1"))
                        .isInstanceOf(RegistryLookupException.class).hasMessageContaining("answered HTTP 503");
            }
        }

        @Test
        void invalidDigestHeaderIsALookupFailure() throws IOException {
            HttpHandler bad = exchange -> {
                exchange.getResponseHeaders().add("Docker-Content-Digest", "sha256:not a digest");
                respond(exchange, 200, null);
            };
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/v1", bad))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThatThrownBy(() -> resolve(client, registry.name(), "team/app", "v1"))
                        .isInstanceOf(RegistryLookupException.class).hasMessageContaining("invalid digest");
            }
        }

        @Test
        void unreachableRegistryIsALookupFailure() throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String name = "127.0.0.1:" + port;
            RegistryClient client = new RegistryClient(Map.of(name, URI.create("http://" + name)), Map.of());
            assertThatThrownBy(() -> resolve(client, name, "team/app", "v1"))
                    .isInstanceOf(RegistryLookupException.class).hasMessageContaining("cannot be reached");
        }

        @Test
        void aDigestIsAskedForWithOneHeadRequestAcceptingIndexesAndManifests() throws IOException {
            List<String> accepts = new CopyOnWriteArrayList<>();
            HttpHandler manifest = exchange -> {
                seen.add(exchange.getRequestMethod());
                accepts.add(exchange.getRequestHeaders().getFirst("Accept"));
                exchange.getResponseHeaders().add("Docker-Content-Digest", DIGEST);
                respond(exchange, 200, null);
            };
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/" + DIGEST, manifest))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThat(has(client, registry.name() + "/team/app:v1@" + DIGEST)).isTrue();
                assertThat(seen).containsExactly("HEAD");
                assertThat(accepts.get(0).split(",\\s*")).containsExactlyInAnyOrder(
                        OCI_INDEX, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json", DOCKER_MANIFEST);
            }
        }

        @Test
        void aDigestBehindABasicChallengeIsAskedForWithTheConfiguredCredentials() throws IOException {
            try (StandIn registry = StandIn.start(Map.of("/v2/team/app/manifests/" + DIGEST, basicProtected(DIGEST)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()),
                        RegistrySettings.parseCredentials(registry.name() + "=ci:s3cret:with:colons"));
                assertThat(has(client, registry.name() + "/team/app@" + DIGEST)).isTrue();
                assertThat(has(client, registry.name() + "/team/app@" + DIGEST)).isTrue();
                assertThat(seen).containsExactly("HEAD null", "HEAD " + BASIC, "HEAD " + BASIC);
            }
        }

        @Test
        void answersOtherThanFoundOrNotFoundAreLookupFailures() throws IOException {
            try (StandIn registry = StandIn.start(Map.of(
                    "/v2/team/app/manifests/" + DIGEST, exchange -> respond(exchange, 503, null),
                    "/v2/team/denied/manifests/" + DIGEST, exchange -> respond(exchange, 403, null)))) {
                RegistryClient client = new RegistryClient(Map.of(registry.name(), registry.base()), Map.of());
                assertThatThrownBy(() -> has(client, registry.name() + "/team/app@" + DIGEST))
                        .isInstanceOf(RegistryLookupException.class)
                        .hasMessageContaining("answered HTTP 503 to HEAD").hasMessageContaining("/v2/team/app/manifests/" + DIGEST);
                assertThatThrownBy(() -> has(client, registry.name() + "/team/denied@" + DIGEST))
                        .isInstanceOf(RegistryLookupException.class).hasMessageContaining("denies access to team/denied");
            }
        }

        @Test
        void aReferenceWithoutADigestIsRefusedBeforeAnyRequest() {
            RegistryClient client = new RegistryClient(Map.of(), Map.of());
            assertThatThrownBy(() -> has(client, "quay.io/team/app:v1")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a reference with a digest");
        }

        /** A manifest endpoint behind basic authentication, recording each request's method and Authorization. */
        HttpHandler basicProtected(String digest) {
            return exchange -> {
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                seen.add(exchange.getRequestMethod() + " " + authorization);
                if (authorization == null || !authorization.startsWith("Basic ")) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"stand-in\"");
                    respond(exchange, 401, null);
                } else if (authorization.equals(BASIC)) {
                    exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
                    respond(exchange, 200, null);
                } else {
                    respond(exchange, 401, null);
                }
            };
        }
    }

    @Nested
    class Configuration {

        @Test
        void endpointsAreReadFromTheirPropertyForm() {
            Map<String, URI> endpoints = RegistrySettings.parseEndpoints(
                    " docker.io=https://mirror.example.com/ , localhost:5000=http://127.0.0.1:5000,,");
            assertThat(endpoints).containsExactly(Map.entry("docker.io", URI.create("https://mirror.example.com")),
                    Map.entry("localhost:5000", URI.create("http://127.0.0.1:5000")));
            assertThat(RegistrySettings.parseEndpoints("")).isEmpty();
        }

        @Test
        void invalidEndpointsFailAtStartUp() {
            assertThatThrownBy(() -> RegistrySettings.parseEndpoints("localhost:5000")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("registry=base-url");
            assertThatThrownBy(() -> RegistrySettings.parseEndpoints("quay.io=ftp://quay.io")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("http(s)");
        }

        @Test
        void registriesWithoutEndpointAreAskedOverHttpsAndDockerHubAtItsApiHost() {
            RegistryClient client = new RegistryClient(Map.of("localhost:5000", URI.create("http://127.0.0.1:5000/")), Map.of());
            assertThat(client.baseUrl("localhost:5000")).isEqualTo(URI.create("http://127.0.0.1:5000"));
            assertThat(client.baseUrl("quay.io")).isEqualTo(URI.create("https://quay.io"));
            assertThat(client.baseUrl("docker.io")).isEqualTo(URI.create("https://registry-1.docker.io"));
            assertThat(client.baseUrl("index.docker.io")).isEqualTo(URI.create("https://registry-1.docker.io"));
        }

        @Test
        void credentialsKeepColonsInPasswordsAndNeverShowThem() {
            Map<String, RegistryLogin> logins = RegistrySettings.parseCredentials("docker.io=bot:pa:ss=word,quay.io=robot+ci:t0k3n");
            assertThat(logins).containsEntry("docker.io", new RegistryLogin("bot", "pa:ss=word"))
                    .containsEntry("quay.io", new RegistryLogin("robot+ci", "t0k3n"));
            assertThat(logins.toString()).doesNotContain("pa:ss=word", "t0k3n");
        }

        @Test
        void invalidCredentialsFailWithoutEchoingTheSecret() {
            assertThatThrownBy(() -> RegistrySettings.parseCredentials("quay.io=only-a-secret-token"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("quay.io").hasMessageContaining("registry=user:password")
                    .hasMessageNotContaining("only-a-secret-token");
        }

        @Test
        void configuredPropertiesMayBeAbsent() {
            RegistryClient client = new RegistryClient(new RegistryConfig() {
                @Override
                public java.util.Optional<String> endpoints() {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.Optional<String> credentials() {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.Optional<String> aliases() {
                    return java.util.Optional.empty();
                }

                @Override
                public java.util.Optional<String> allow() {
                    return java.util.Optional.empty();
                }
            });
            assertThat(client.baseUrl("ghcr.io")).isEqualTo(URI.create("https://ghcr.io"));
        }

        @Test
        void challengesAreReadWithTheirParameters() {
            List<AuthChallenge> challenges = AuthChallenge.parse(List.of(
                    "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\"",
                    "Basic realm=\"a \\\"quoted\\\" realm\", Bearer realm=https://auth.example.com/token,error=\"insufficient_scope\""));
            assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("bearer", "basic", "bearer");
            assertThat(challenges.get(0).params()).containsExactly(Map.entry("realm", "https://auth.docker.io/token"),
                    Map.entry("service", "registry.docker.io"), Map.entry("scope", "repository:library/nginx:pull"));
            assertThat(challenges.get(1).params()).containsExactly(Map.entry("realm", "a \"quoted\" realm"));
            assertThat(challenges.get(2).params()).containsEntry("realm", "https://auth.example.com/token")
                    .containsEntry("error", "insufficient_scope");
        }

        @Test
        void namesThatAreNotImageNamesAreRefusedBeforeAnyRequest() {
            RegistryClient client = new RegistryClient(Map.of(), Map.of());
            assertThatThrownBy(() -> resolve(client, "quay.io", "Team/App", "v1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> resolve(client, "quay.io", "team/app", "../v1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> resolve(client, "quay.io/x", "team/app", "v1")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (body == null) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A {@code docker-registry} process on a free loopback port, storing in a directory of its own. */
    record LocalDistribution(Process process, int port, Path dir) implements AutoCloseable {

        static LocalDistribution start(Path dir, String extraConfig) throws IOException {
            Files.createDirectories(dir);
            int port = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: info
                    storage:
                      filesystem:
                        rootdirectory: %s
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(dir.resolve("data"), port) + extraConfig);
            Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("registry.log").toFile())
                    .start();
            LocalDistribution registry = new LocalDistribution(process, port, dir);
            try {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(registry::answers);
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            return registry;
        }

        /** Whether {@code GET /v2/} answers at all: 200 when open, 401 behind token authentication. */
        boolean answers() throws IOException {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ":\n"
                        + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(base().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return r.statusCode() == 200 || r.statusCode() == 401;
            } catch (IOException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        String name() {
            return "localhost:" + port;
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + port);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** A one-layer image pushed blob by blob with the OCI distribution push API, as a build tool pushes it. */
    record Image(LocalDistribution registry, String repository, String authorization, byte[] config, byte[] layer) {

        static Image pushTo(LocalDistribution registry, String repository, String authorization) throws Exception {
            byte[] layer = new byte[1024]; // an empty tar archive: two zero blocks
            String diffId = "sha256:" + sha256(layer);
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"run\":\"" + UUID.randomUUID()
                    + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
            Image image = new Image(registry, repository, authorization, config, layer);
            image.uploadBlob(config);
            image.uploadBlob(layer);
            return image;
        }

        byte[] ociManifest() throws IOException {
            return manifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar");
        }

        byte[] dockerManifest() throws IOException {
            return manifest(DOCKER_MANIFEST, "application/vnd.docker.container.image.v1+json",
                    "application/vnd.docker.image.rootfs.diff.tar.gzip");
        }

        private byte[] manifest(String mediaType, String configType, String layerType) throws IOException {
            ObjectNode m = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", mediaType);
            m.putObject("config").put("mediaType", configType).put("digest", "sha256:" + sha256(config)).put("size", config.length);
            m.putArray("layers").addObject().put("mediaType", layerType).put("digest", "sha256:" + sha256(layer)).put("size", layer.length);
            return JSON.writeValueAsBytes(m);
        }

        byte[] index(String manifestDigest, int manifestSize) throws IOException {
            ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
            ArrayNode manifests = index.putArray("manifests");
            ObjectNode entry = manifests.addObject().put("mediaType", OCI_MANIFEST).put("digest", manifestDigest).put("size", manifestSize);
            entry.putObject("platform").put("architecture", "amd64").put("os", "linux");
            return JSON.writeValueAsBytes(index);
        }

        /** {@code POST /v2/<repo>/blobs/uploads/}, then {@code PUT <location>?digest=…} with the bytes. */
        void uploadBlob(byte[] blob) throws Exception {
            HttpResponse<String> started = send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + repository + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(started.statusCode()).as("upload start: %s", started.body()).isEqualTo(202);
            URI location = registry.base().resolve(started.headers().firstValue("Location").orElseThrow());
            String digest = URLEncoder.encode("sha256:" + sha256(blob), StandardCharsets.UTF_8);
            URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest);
            HttpResponse<String> done = send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
            assertThat(done.statusCode()).as("upload: %s", done.body()).isEqualTo(201);
        }

        /** {@code PUT /v2/<repo>/manifests/<tag>}; the digest the registry reports for it. */
        String pushManifest(String tag, String mediaType, byte[] manifest) throws Exception {
            HttpResponse<String> r = send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + repository + "/manifests/" + tag))
                    .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
            assertThat(r.statusCode()).as("manifest push: %s", r.body()).isEqualTo(201);
            String digest = r.headers().firstValue("Docker-Content-Digest").orElseThrow();
            assertThat(digest).isEqualTo("sha256:" + sha256(manifest));
            return digest;
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * A token service in the sense of the distribution token spec: it signs JWTs with a key whose self-signed
     * certificate the registry trusts (generated with the JDK's keytool), grants anonymous pulls outside
     * {@code secure/} and everything asked for to {@code ci:s3cret}.
     */
    static final class TokenService implements AutoCloseable {

        static final String ISSUER = "cascade-test-issuer";
        static final String USER = "ci";
        static final String PASSWORD = "s3cret";
        static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

        record Request(String authorization, String service, List<String> scopes) {
        }

        final List<Request> requests = new CopyOnWriteArrayList<>();
        final Path bundle;
        private final PrivateKey key;
        private final X509Certificate certificate;
        private final HttpServer server;

        private TokenService(Path bundle, PrivateKey key, X509Certificate certificate) throws IOException {
            this.bundle = bundle;
            this.key = key;
            this.certificate = certificate;
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/token", this::issue);
            server.start();
        }

        static TokenService start(Path dir) throws Exception {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("issuer.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "issuer", "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
                    "-dname", "CN=cascade-test-token-issuer", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
            assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
            assertThat(keytool.exitValue()).as("keytool: %s", Files.readString(dir.resolve("keytool.log"))).isZero();
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, "changeit".toCharArray());
            }
            X509Certificate certificate = (X509Certificate) store.getCertificate("issuer");
            Path bundle = dir.resolve("bundle.pem");
            Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            return new TokenService(bundle, (PrivateKey) store.getKey("issuer", "changeit".toCharArray()), certificate);
        }

        String realm() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
        }

        private void issue(HttpExchange exchange) throws IOException {
            String service = null;
            List<String> scopes = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(pair.substring(0, eq < 0 ? pair.length() : eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals("service")) {
                    service = value;
                } else if (name.equals("scope")) {
                    scopes.add(value);
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(authorization, service, scopes));
            boolean secure = scopes.stream().anyMatch(s -> s.startsWith("repository:secure/"));
            if ((authorization != null && !authorization.equals(BASIC)) || (secure && authorization == null)) {
                respond(exchange, 401, null);
                return;
            }
            try {
                ObjectNode body = JSON.createObjectNode().put("token", jwt(scopes)).put("expires_in", 300)
                        .put("issued_at", Instant.now().toString());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                respond(exchange, 200, JSON.writeValueAsBytes(body));
            } catch (Exception e) {
                respond(exchange, 500, null);
            }
        }

        /** An RS256 JWT granting the scopes, with the certificate in {@code x5c} for the registry to check it by. */
        String jwt(List<String> scopes) throws Exception {
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
            long now = Instant.now().getEpochSecond();
            ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", USER).put("aud", "cascade-test")
                    .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
            ArrayNode access = claims.putArray("access");
            for (String scope : scopes) {
                int first = scope.indexOf(':');
                int last = scope.lastIndexOf(':');
                ObjectNode grant = access.addObject().put("type", scope.substring(0, first)).put("name", scope.substring(first + 1, last));
                ArrayNode actions = grant.putArray("actions");
                for (String action : scope.substring(last + 1).split(",")) {
                    actions.add(action);
                }
            }
            String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "." + url.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(rs256.sign());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A registry stand-in: fixed answers per path on a loopback port. */
    record StandIn(HttpServer server) implements AutoCloseable {

        static StandIn start(Map<String, HttpHandler> routes) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            routes.forEach(server::createContext);
            server.start();
            return new StandIn(server);
        }

        int port() {
            return server.getAddress().getPort();
        }

        String name() {
            return "127.0.0.1:" + port();
        }

        URI base() {
            return URI.create("http://" + name());
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
