package dev.cascade.trigger.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.trigger.webhook.Signatures;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Identities of thousands of characters, which a sender that proves itself may send: the delivery is stored under a
 * digest of its key (the unique index over keys takes entries of a few kilobytes) and found again when it is
 * redelivered; a digest that long is no digest and is refused. None of them is answered with a 5xx.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class OversizedIdentitiesTests {

    static final String GITHUB_SECRET = "It's a Secret to Everybody";
    static final String DISTRIBUTION = "Bearer distribution-test-token-0123456789";
    static final String HARBOR = "Bearer harbor-test-token-0123456789";
    static final SecureRandom RANDOM = new SecureRandom();

    /** Letters and digits that do not compress: what a hostile sender would choose. */
    static String random(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    static String digest() {
        byte[] d = new byte[32];
        RANDOM.nextBytes(d);
        return "sha256:" + HexFormat.of().formatHex(d);
    }

    static String distribution(String id, String action, String digest) {
        return """
                {"events":[{"id":"%s","action":"%s","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "digest":"%s","repository":"apps/oversized","url":"http://localhost:5000/v2/apps/oversized/manifests/1","tag":"1"},
                 "request":{"host":"localhost:5000"}}]}
                """.formatted(id, action, digest);
    }

    static String harbor(int resources, long occurAt) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < resources; i++) {
            list.append(i == 0 ? "" : ",").append("""
                    {"digest":"%s","tag":"t%d","resource_url":"harbor.example.com/library/oversized:t%d"}""".formatted(digest(), i, i));
        }
        return """
                {"type":"PUSH_ARTIFACT","occur_at":%d,"event_data":{"resources":[%s],
                 "repository":{"name":"oversized","namespace":"library","repo_full_name":"library/oversized"}}}
                """.formatted(occurAt, list);
    }

    static String ghcr(String digest) {
        return """
                {"action":"published","package":{"name":"oversized","namespace":"octo-org","package_type":"CONTAINER",
                 "package_version":{"version":"%1$s","container_metadata":{"tag":{"name":"v1","digest":"%1$s"}}}}}
                """.formatted(digest);
    }

    static RequestSpecification post(String contentType, String body, Map<String, String> headers) {
        RequestSpecification spec = given().contentType(contentType).body(body.getBytes(StandardCharsets.UTF_8));
        headers.forEach(spec::header);
        return spec;
    }

    static Map<String, String> github(String delivery, String body) {
        return Map.of("X-GitHub-Event", "package", "X-GitHub-Hook-ID", "424242", "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", "sha256=" + Signatures.hmacSha256Hex(GITHUB_SECRET, body.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"distribution event id", "distribution event id of a pull", "harbor push of forty tags",
            "harbor event of another type", "ghcr delivery id"})
    void deliveryWhoseIdentityIsThousandsOfCharactersLongIsStoredOnceAndFoundWhenRedelivered(String which) {
        String path;
        String type = "application/json";
        String body;
        String again;
        Map<String, String> headers;
        String expected = "ACCEPTED";
        switch (which) {
            case "distribution event id" -> {
                path = "/webhooks/registry/distribution";
                body = again = distribution(random(4_000), "push", digest());
                headers = Map.of("Authorization", DISTRIBUTION);
            }
            case "distribution event id of a pull" -> {
                path = "/webhooks/registry/distribution";
                body = again = distribution(random(5_000), "pull", digest());
                headers = Map.of("Authorization", DISTRIBUTION);
                expected = "IGNORED";
            }
            case "harbor push of forty tags" -> {
                path = "/webhooks/registry/harbor";
                body = harbor(40, 1_700_000_000L);
                // Harbor resends with a new time: what was pushed is the identity
                again = body.replace("\"occur_at\":1700000000", "\"occur_at\":1700000060");
                headers = Map.of("Authorization", HARBOR);
            }
            case "harbor event of another type" -> {
                path = "/webhooks/registry/harbor";
                type = "application/cloudevents+json";
                body = again = """
                        {"specversion":"1.0","type":"harbor.artifact.deleted","id":"%s","source":"/projects/%s","data":{}}
                        """.formatted(random(5_000), random(5_000));
                headers = Map.of("Authorization", HARBOR);
                expected = "IGNORED";
            }
            case "ghcr delivery id" -> {
                path = "/webhooks/registry/ghcr";
                body = again = ghcr(digest());
                headers = github(random(4_000), body);
            }
            default -> throw new IllegalArgumentException(which);
        }
        String pipeline = post(type, body, headers).post(path).then()
                .statusCode(202).body("status", equalTo(expected)).extract().path("pipelineId");
        String deliveryId = post(type, again, headers).post(path).then()
                .statusCode(200).body("status", equalTo("DUPLICATE")).body("pipelineId", equalTo(pipeline))
                .extract().path("duplicateOf");
        assertThat(deliveryId).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"distribution", "harbor", "ghcr"})
    void digestOfThousandsOfCharactersIsRefusedAsMalformedAndNothingIsStored(String sender) throws Exception {
        String digest = "sha512:" + random(4_000);
        long before = RedeliveryTests.count("select count(*) from delivery");
        long seen = RedeliveryTests.count("select count(*) from image_report");
        switch (sender) {
            case "distribution" -> post("application/json", distribution(UUID.randomUUID().toString(), "push", digest),
                    Map.of("Authorization", DISTRIBUTION)).post("/webhooks/registry/distribution").then().statusCode(400);
            case "harbor" -> post("application/json", harbor(1, 1L).replaceFirst("sha256:[0-9a-f]{64}", digest),
                    Map.of("Authorization", HARBOR)).post("/webhooks/registry/harbor").then().statusCode(400);
            default -> {
                String body = ghcr(digest);
                post("application/json", body, github(UUID.randomUUID().toString(), body)).post("/webhooks/registry/ghcr")
                        .then().statusCode(400);
            }
        }
        assertThat(RedeliveryTests.count("select count(*) from delivery")).isEqualTo(before);
        assertThat(RedeliveryTests.count("select count(*) from image_report")).isEqualTo(seen);
    }
}
