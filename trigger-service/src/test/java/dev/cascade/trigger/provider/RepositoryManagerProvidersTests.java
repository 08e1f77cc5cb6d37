package dev.cascade.trigger.provider;

import static dev.cascade.trigger.provider.ProviderInput.JSON;
import static dev.cascade.trigger.provider.ProviderInput.MAPPER;
import static dev.cascade.trigger.provider.ProviderInput.assertIgnored;
import static dev.cascade.trigger.provider.ProviderInput.bytes;
import static dev.cascade.trigger.provider.ProviderInput.fixture;
import static dev.cascade.trigger.provider.ProviderInput.request;
import static dev.cascade.trigger.provider.ProviderInput.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry senders of Azure, Sonatype and JFrog against their documented payloads, and broken input. */
class RepositoryManagerProvidersTests {

    static final String DIGEST_A = "sha256:" + "a".repeat(64);

    static final AcrProvider ACR = new AcrProvider(MAPPER);
    static final NexusProvider NEXUS = new NexusProvider(MAPPER, RepositoryRegistries.parse("docker-hosted=nexus.example.com:8443"));
    static final ArtifactoryProvider ARTIFACTORY = new ArtifactoryProvider(MAPPER,
            RepositoryRegistries.parse("docker-virtual=docker.example.com/virtual"));

    static List<ImageCandidate> images(ParsedDelivery delivery) {
        assertThat(delivery.ignored()).as("ignored reason").isNull();
        return delivery.images();
    }

    @Test
    void eachDescribesItselfAsAJsonRegistrySender() {
        assertThat(Stream.of(ACR, NEXUS, ARTIFACTORY).map(WebhookProvider::sender)).containsExactly("acr", "nexus", "artifactory");
        assertThat(Stream.of(ACR, NEXUS, ARTIFACTORY).map(WebhookProvider::kind)).containsOnly(WebhookProvider.Kind.REGISTRY);
        assertThat(Stream.of(ACR, NEXUS, ARTIFACTORY).map(WebhookProvider::mediaTypes)).containsOnly(java.util.Set.of(JSON));
    }

    @Test
    void repositoryRegistriesAreParsedAndAMistakeIsNamed() {
        RepositoryRegistries r = RepositoryRegistries.parse(" docker-hosted = https://nexus.example.com:8443/ , other=reg.example.com/path ,");
        assertThat(r.byRepository()).containsOnly(java.util.Map.entry("docker-hosted", "nexus.example.com:8443"),
                java.util.Map.entry("other", "reg.example.com/path"));
        assertThat(RepositoryRegistries.parse("").byRepository()).isEmpty();
        assertThatThrownBy(() -> RepositoryRegistries.parse("docker-hosted")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'docker-hosted'");
        assertThatThrownBy(() -> RepositoryRegistries.parse("=nexus.example.com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Nested
    class Acr {

        static final String AUTH = "Bearer acr-test-token-0123456789";

        ParsedDelivery parse(byte[] body) {
            return ACR.parse(request("acr", JSON, body, "Authorization", AUTH));
        }

        @Test
        void documentedPushBecomesAnImageWithItsDigestAndMediaType() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("acr/push.json"));
            assertThat(images(d)).containsExactly(new ImageCandidate("myregistry.azurecr.io", "hello-world", "v1",
                    WebhookPayloads.ACR_DIGEST, "application/vnd.docker.distribution.manifest.v2+json"));
            assertThat(d.eventName()).isEqualTo("push");
            assertThat(d.subject()).isEqualTo("myregistry.azurecr.io/hello-world");
            assertThat(d.dedupKey()).isEqualTo("myregistry.azurecr.io/hello-world:v1@" + WebhookPayloads.ACR_DIGEST);
        }

        @Test
        void aResendWithAnotherEventIdIsTheSamePush() {
            ObjectNode body = fixture("acr/push.json").put("id", "another-event-id").put("timestamp", "2017-11-17T16:55:00Z");
            assertThat(parse(bytes(body)).dedupKey()).isEqualTo(parse(WebhookPayloads.bytes("acr/push.json")).dedupKey());
        }

        @ParameterizedTest
        @ValueSource(strings = {"delete", "chart_push", "chart_delete", "quarantine", "ping"})
        void otherActionsAreIgnoredUnderTheirEventId(String action) {
            ParsedDelivery d = parse(bytes(fixture("acr/push.json").put("action", action)));
            assertIgnored(d, "action '" + action + "' is not an image push");
            assertThat(d.dedupKey()).isEqualTo(action + ":cb8c3971-9adc-488b-0000-43cbb4974ff5");
        }

        @Test
        void pushWithoutATagIsIgnored() {
            ObjectNode body = fixture("acr/push.json");
            ((ObjectNode) body.get("target")).remove("tag");
            assertIgnored(parse(bytes(body)), "untagged push: no tag moved");
            ((ObjectNode) body.get("target")).put("tag", "");
            assertIgnored(parse(bytes(body)), "untagged push: no tag moved");
        }

        @Test
        void aTagOfOnlyWhiteSpaceIsRefusedNotTakenForAnUntaggedPush() {
            ObjectNode body = fixture("acr/push.json");
            ((ObjectNode) body.get("target")).put("tag", " ".repeat(10_005));
            assertThatThrownBy(() -> parse(bytes(body))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("a tag of only white space (10005 characters)");
        }

        @Test
        void credentialIsTheAuthorizationHeaderTheWebhookIsSetToSend() {
            byte[] body = WebhookPayloads.bytes("acr/push.json");
            assertThat(ACR.credential(request("acr", JSON, body, "Authorization", AUTH))).isEqualTo(new Credential.Token(AUTH));
            assertThat(ACR.credential(request("acr", JSON, body))).isEqualTo(new Credential.Missing("Authorization"));
            assertThat(ACR.claimedSubject(request("acr", JSON, body))).isEqualTo("myregistry.azurecr.io/hello-world");
        }

        @Test
        void missingTargetDigestOrHostIsMalformed() {
            ObjectNode noTarget = fixture("acr/push.json");
            noTarget.remove("target");
            assertThatThrownBy(() -> parse(bytes(noTarget))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/target");
            ObjectNode noDigest = fixture("acr/push.json");
            ((ObjectNode) noDigest.get("target")).remove("digest");
            assertThatThrownBy(() -> parse(bytes(noDigest))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/digest");
            ObjectNode bareHost = fixture("acr/push.json");
            ((ObjectNode) bareHost.get("request")).put("host", "myregistry");
            assertThatThrownBy(() -> parse(bytes(bareHost))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("registry host");
        }
    }

    @Nested
    class Nexus {

        static final String DELIVERY = "7f4a6dde-5c68-4999-bcc0-a62f3fb8ae48";

        WebhookRequest nexus(String event, byte[] body) {
            return request("nexus", JSON, body, "X-Nexus-Webhook-Id", event, "X-Nexus-Webhook-Delivery", DELIVERY,
                    "X-Nexus-Webhook-Signature", "687f3719b87232cf1c11b3ef7ea10c49218b6df1");
        }

        ParsedDelivery component(byte[] body) {
            return NEXUS.parse(nexus("rm:repository:component", body));
        }

        ParsedDelivery asset(String name) {
            ObjectNode body = MAPPER.createObjectNode().put("repositoryName", "docker-hosted").put("action", "CREATED");
            body.putObject("asset").put("id", "a1").put("format", "docker").put("name", name);
            return NEXUS.parse(nexus("rm:repository:asset", bytes(body)));
        }

        @Test
        void dockerComponentIsAnImageOnTheConfiguredRegistryWhoseDigestTheIntakeResolves() {
            ParsedDelivery d = component(WebhookPayloads.bytes("nexus/component-docker.json"));
            assertThat(images(d)).containsExactly(new ImageCandidate("nexus.example.com:8443", "acme/app", "1.4", null, null));
            assertThat(d.eventName()).isEqualTo("rm:repository:component");
            assertThat(d.subject()).isEqualTo("nexus.example.com:8443/acme/app");
            assertThat(d.dedupKey()).isEqualTo("nexus.example.com:8443/acme/app:1.4");
        }

        @Test
        void theTagsManifestAssetIsTheSamePushAsItsComponent() {
            ParsedDelivery a = asset("v2/acme/app/manifests/1.4");
            assertThat(images(a)).containsExactly(new ImageCandidate("nexus.example.com:8443", "acme/app", "1.4", null, null));
            assertThat(a.dedupKey()).isEqualTo(component(WebhookPayloads.bytes("nexus/component-docker.json")).dedupKey());
            assertThat(images(asset("/v2/acme/app/manifests/1.4"))).hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"v2/-/blobs/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "v2/acme/app/manifests/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "v2/acme/app/tags/list"})
        void layersManifestsByDigestAndOtherAssetsAreIgnored(String name) {
            ParsedDelivery d = asset(name);
            assertIgnored(d, "asset is no tag's manifest");
            assertThat(d.dedupKey()).isEqualTo("rm:repository:asset:" + DELIVERY);
        }

        @Test
        void documentedNpmAssetIsIgnored() {
            ParsedDelivery d = NEXUS.parse(nexus("rm:repository:asset", WebhookPayloads.bytes("nexus/asset.json")));
            assertIgnored(d, "asset format npm is not docker");
        }

        @Test
        void deletionsOtherEventsAndUnconfiguredRepositoriesAreIgnored() {
            ObjectNode deleted = fixture("nexus/component-docker.json").put("action", "DELETED");
            assertIgnored(component(bytes(deleted)), "component action DELETED is not a push");
            assertIgnored(NEXUS.parse(nexus("rm:repository", utf8("{\"repositoryName\":\"x\"}"))),
                    "event rm:repository is not a component or asset event");
            ObjectNode elsewhere = fixture("nexus/component-docker.json").put("repositoryName", "docker-proxy");
            assertIgnored(component(bytes(elsewhere)), "no registry is configured for Nexus repository docker-proxy");
        }

        @Test
        void credentialIsTheHmacSha1Signature() {
            byte[] body = WebhookPayloads.bytes("nexus/component-docker.json");
            assertThat(NEXUS.credential(nexus("rm:repository:component", body)))
                    .isEqualTo(new Credential.HmacSha1("687f3719b87232cf1c11b3ef7ea10c49218b6df1"));
            assertThat(NEXUS.credential(request("nexus", JSON, body))).isEqualTo(new Credential.Missing("X-Nexus-Webhook-Signature"));
        }

        @Test
        void missingEventHeaderOrComponentFieldsAreMalformed() {
            byte[] body = WebhookPayloads.bytes("nexus/component-docker.json");
            assertThatThrownBy(() -> NEXUS.parse(request("nexus", JSON, body))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("X-Nexus-Webhook-Id");
            for (String field : List.of("name", "version", "format")) {
                ObjectNode broken = fixture("nexus/component-docker.json");
                ((ObjectNode) broken.get("component")).remove(field);
                assertThatThrownBy(() -> component(bytes(broken))).as(field).isInstanceOf(MalformedWebhookException.class)
                        .hasMessageContaining(field);
            }
            ObjectNode notAnObject = fixture("nexus/component-docker.json").put("component", "acme/app");
            assertThatThrownBy(() -> component(bytes(notAnObject))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/component");
        }
    }

    @Nested
    class Artifactory {

        ParsedDelivery parse(byte[] body) {
            return ARTIFACTORY.parse(request("artifactory", JSON, body, "X-JFrog-Event-Auth", "artifactory-test-secret-0123456789"));
        }

        @Test
        void documentedDockerPushIsAnImageUnderThePlatformHostAndRepositoryKey() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("artifactory/docker-pushed.json"));
            assertThat(images(d)).containsExactly(new ImageCandidate("example.jfrog.io", "docker-remote-cache/library/ubuntu", "latest",
                    WebhookPayloads.ARTIFACTORY_DIGEST, null));
            assertThat(d.eventName()).isEqualTo("docker.pushed");
            assertThat(d.subject()).isEqualTo("example.jfrog.io/docker-remote-cache/library/ubuntu");
            assertThat(d.dedupKey()).isEqualTo("example.jfrog.io/docker-remote-cache/library/ubuntu:latest@" + WebhookPayloads.ARTIFACTORY_DIGEST);
        }

        @Test
        void aConfiguredRegistryForTheRepositoryKeyIsUsed() {
            ObjectNode body = fixture("artifactory/docker-pushed.json");
            ((ObjectNode) body.get("data")).put("repo_key", "docker-virtual");
            assertThat(images(parse(bytes(body)))).extracting(ImageCandidate::registry, ImageCandidate::repository)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("docker.example.com", "virtual/library/ubuntu"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   "})
        void aPushWithoutItsManifestChecksumIsMalformedRatherThanAskedOfTheRegistry(String sha256) {
            ObjectNode blank = fixture("artifactory/docker-pushed.json");
            ((ObjectNode) blank.get("data")).put("sha256", sha256);
            assertThatThrownBy(() -> parse(bytes(blank))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/data/sha256");
            ObjectNode missing = fixture("artifactory/docker-pushed.json");
            ((ObjectNode) missing.get("data")).remove("sha256");
            assertThatThrownBy(() -> parse(bytes(missing))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/data/sha256");
        }

        @Test
        void aChecksumWrittenAsADigestIsTakenAsItIs() {
            ObjectNode body = fixture("artifactory/docker-pushed.json");
            ((ObjectNode) body.get("data")).put("sha256", WebhookPayloads.ARTIFACTORY_DIGEST);
            assertThat(images(parse(bytes(body)))).extracting(ImageCandidate::digest).containsExactly(WebhookPayloads.ARTIFACTORY_DIGEST);
        }

        @ParameterizedTest
        @ValueSource(strings = {"deleted", "promoted"})
        void otherDockerEventsAreIgnored(String eventType) {
            assertIgnored(parse(bytes(fixture("artifactory/docker-pushed.json").put("event_type", eventType))),
                    "event docker." + eventType + " is not a docker push");
        }

        @Test
        void otherDomainsAreIgnored() {
            assertIgnored(parse(bytes(fixture("artifactory/docker-pushed.json").put("domain", "artifact").put("event_type", "deployed"))),
                    "event artifact.deployed is not a docker push");
        }

        @Test
        void credentialIsTheAuthHeaderAsSecretOrSignature() {
            byte[] body = WebhookPayloads.bytes("artifactory/docker-pushed.json");
            assertThat(ARTIFACTORY.credential(request("artifactory", JSON, body, "X-JFrog-Event-Auth", "s3cret")))
                    .isEqualTo(new Credential.SecretOrHmacSha256("s3cret"));
            assertThat(ARTIFACTORY.credential(request("artifactory", JSON, body)))
                    .isEqualTo(new Credential.Missing("X-JFrog-Event-Auth"));
        }

        @Test
        void pushWithoutOriginOrConfiguredRegistryOrWithAnInvalidDigestIsMalformed() {
            ObjectNode noOrigin = fixture("artifactory/docker-pushed.json");
            noOrigin.remove("jpd_origin");
            assertThatThrownBy(() -> parse(bytes(noOrigin))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("jpd_origin");
            ObjectNode badDigest = fixture("artifactory/docker-pushed.json");
            ((ObjectNode) badDigest.get("data")).put("sha256", "sample_checksum");
            assertThatThrownBy(() -> parse(bytes(badDigest))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("digest");
            ObjectNode noData = fixture("artifactory/docker-pushed.json").put("data", "x");
            assertThatThrownBy(() -> parse(bytes(noData))).isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/data");
        }
    }
}
