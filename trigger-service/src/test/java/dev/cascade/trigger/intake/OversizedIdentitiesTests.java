package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.TestSecrets;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.security.SecureRandom;
import java.util.HexFormat;
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

    static String distributionEnvelope(String id, String action, String digest) {
        return """
                {"events":[{"id":"%s","action":"%s","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "digest":"%s","repository":"apps/oversized","url":"http://localhost:5000/v2/apps/oversized/manifests/1","tag":"1"},
                 "request":{"host":"localhost:5000"}}]}
                """.formatted(id, action, digest);
    }

    static String harborPush(int resources, long occurAt) {
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

    static String ghcrPublished(String digest) {
        return """
                {"action":"published","package":{"name":"oversized","namespace":"octo-org","package_type":"CONTAINER",
                 "package_version":{"version":"%1$s","container_metadata":{"tag":{"name":"v1","digest":"%1$s"}}}}}
                """.formatted(digest);
    }

    static WebhookDelivery distribution(String body) {
        return WebhookDelivery.distribution(TestSecrets.DISTRIBUTION, WebhookPayloads.utf8(body)).withContentType(WebhookDelivery.JSON);
    }

    static WebhookDelivery harbor(String contentType, String body) {
        return WebhookDelivery.harbor(TestSecrets.HARBOR, WebhookPayloads.utf8(body)).withContentType(contentType);
    }

    static WebhookDelivery ghcr(String delivery, String body) {
        return WebhookDelivery.ghcr(delivery, TestSecrets.GITHUB, WebhookPayloads.utf8(body));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"distribution event id", "distribution event id of a pull", "harbor push of forty tags",
            "harbor event of another type", "ghcr delivery id"})
    void deliveryWhoseIdentityIsThousandsOfCharactersLongIsStoredOnceAndFoundWhenRedelivered(String which) {
        WebhookDelivery first;
        WebhookDelivery again;
        String expected = "ACCEPTED";
        switch (which) {
            case "distribution event id" -> first = again = distribution(distributionEnvelope(random(4_000), "push", digest()));
            case "distribution event id of a pull" -> {
                first = again = distribution(distributionEnvelope(random(5_000), "pull", digest()));
                expected = "IGNORED";
            }
            case "harbor push of forty tags" -> {
                String body = harborPush(40, 1_700_000_000L);
                first = harbor(WebhookDelivery.JSON, body);
                // Harbor resends with a new time: what was pushed is the identity
                again = harbor(WebhookDelivery.JSON, body.replace("\"occur_at\":1700000000", "\"occur_at\":1700000060"));
            }
            case "harbor event of another type" -> {
                first = again = harbor("application/cloudevents+json", """
                        {"specversion":"1.0","type":"harbor.artifact.deleted","id":"%s","source":"/projects/%s","data":{}}
                        """.formatted(random(5_000), random(5_000)));
                expected = "IGNORED";
            }
            case "ghcr delivery id" -> {
                // a push is keyed by what was pushed; an event that pushes nothing (an untagged version) by its delivery id
                first = again = ghcr(random(4_000), ghcrPublished(digest()).replace("\"name\":\"v1\"", "\"name\":\"\""));
                expected = "IGNORED";
            }
            default -> throw new IllegalArgumentException(which);
        }
        String pipeline = first.post()
                .statusCode(202).body("status", equalTo(expected)).extract().path("pipelineId");
        String deliveryId = again.post()
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
            case "distribution" -> distribution(distributionEnvelope(UUID.randomUUID().toString(), "push", digest)).post().statusCode(400);
            case "harbor" -> harbor(WebhookDelivery.JSON, harborPush(1, 1L).replaceFirst("sha256:[0-9a-f]{64}", digest)).post().statusCode(400);
            default -> ghcr(UUID.randomUUID().toString(), ghcrPublished(digest)).post().statusCode(400);
        }
        assertThat(RedeliveryTests.count("select count(*) from delivery")).isEqualTo(before);
        assertThat(RedeliveryTests.count("select count(*) from image_report")).isEqualTo(seen);
    }
}
