package dev.cascade.trigger.provider;

import static dev.cascade.trigger.provider.ProviderInput.JSON;
import static dev.cascade.trigger.provider.ProviderInput.MAPPER;
import static dev.cascade.trigger.provider.ProviderInput.assertIgnored;
import static dev.cascade.trigger.provider.ProviderInput.bytes;
import static dev.cascade.trigger.provider.ProviderInput.fixture;
import static dev.cascade.trigger.provider.ProviderInput.request;
import static dev.cascade.trigger.provider.ProviderInput.tree;
import static dev.cascade.trigger.provider.ProviderInput.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The registry webhook senders against the real payloads captured from them, documented shapes, and broken input. */
class RegistryProvidersTests {

    static final String EVENTS_V1 = "application/vnd.docker.distribution.events.v1+json";
    static final String EVENTS_V2 = "application/vnd.docker.distribution.events.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    static final String MANIFEST_DIGEST = WebhookPayloads.DISTRIBUTION_DIGEST;
    static final String DIGEST_A = "sha256:" + "a".repeat(64);
    static final String DIGEST_B = "sha256:" + "b".repeat(64);

    static final DistributionProvider DISTRIBUTION = new DistributionProvider(MAPPER);
    static final DockerHubProvider DOCKERHUB = new DockerHubProvider(MAPPER);
    static final HarborProvider HARBOR = new HarborProvider(MAPPER);
    static final QuayProvider QUAY = new QuayProvider(MAPPER);
    static final GhcrProvider GHCR = new GhcrProvider(MAPPER);

    static List<ImageCandidate> images(ParsedDelivery delivery) {
        assertThat(delivery.ignored()).as("ignored reason").isNull();
        assertThat(delivery.pushes()).isEmpty();
        return delivery.images();
    }

    @Test
    void everyRegistrySenderDescribesItselfAsARegistry() {
        assertThat(Stream.of(DISTRIBUTION, DOCKERHUB, HARBOR, QUAY, GHCR).map(WebhookProvider::sender))
                .containsExactly("distribution", "dockerhub", "harbor", "quay", "ghcr");
        assertThat(Stream.of(DISTRIBUTION, DOCKERHUB, HARBOR, QUAY, GHCR).map(WebhookProvider::kind))
                .containsOnly(WebhookProvider.Kind.REGISTRY);
        assertThat(DISTRIBUTION.mediaTypes()).containsExactlyInAnyOrder(EVENTS_V1, EVENTS_V2, JSON);
        assertThat(DOCKERHUB.mediaTypes()).containsExactly(JSON);
        assertThat(HARBOR.mediaTypes()).containsExactlyInAnyOrder(JSON, "application/cloudevents+json");
        assertThat(QUAY.mediaTypes()).containsExactly(JSON);
        assertThat(GHCR.mediaTypes()).containsExactly(JSON);
    }

    @Nested
    class Distribution {

        static final String TOKEN = "Bearer distribution-test-token-0123456789";

        ParsedDelivery parse(byte[] body) {
            return DISTRIBUTION.parse(request("distribution", EVENTS_V1, body, "Authorization", TOKEN));
        }

        ParsedDelivery parse(JsonNode body) {
            return parse(bytes(body));
        }

        /** The tagged manifest fixture's event, changed by the caller. */
        ObjectNode manifestEvent(String id) {
            ObjectNode event = (ObjectNode) fixture("distribution/push-manifest-tagged.json").get("events").get(0).deepCopy();
            return event.put("id", id);
        }

        ObjectNode envelope(JsonNode... events) {
            ObjectNode root = MAPPER.createObjectNode();
            root.putArray("events").addAll(Arrays.asList(events));
            return root;
        }

        @ParameterizedTest
        @ValueSource(strings = {EVENTS_V1, EVENTS_V2, JSON, EVENTS_V2 + "; charset=utf-8"})
        void taggedManifestPushFixtureBecomesOneImageInEveryMediaType(String contentType) {
            WebhookRequest request = request("distribution", contentType, WebhookPayloads.bytes("distribution/push-manifest-tagged.json"));
            assertThat(DISTRIBUTION.mediaTypes()).contains(request.mediaType());
            ParsedDelivery d = DISTRIBUTION.parse(request);
            assertThat(images(d)).containsExactly(new ImageCandidate("localhost:5000", "apps/hello", "1", MANIFEST_DIGEST, OCI_MANIFEST));
            assertThat(d.eventName()).isEqualTo("push");
            assertThat(d.dedupKey()).isEqualTo("cd9ab2fb-9d06-4b48-961e-8d2d589839cf");
            assertThat(d.subject()).isEqualTo("localhost:5000/apps/hello");
        }

        @Test
        void blobPushesAreIgnored() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("distribution/push-blob.json"));
            assertIgnored(d, "no tagged manifest push: 1 blob push ignored");
            assertThat(d.dedupKey()).isEqualTo("9cba0055-6207-4ef7-83a7-91d8d074f75c");
            assertThat(d.subject()).isEqualTo("localhost:5000/base/busybox");
        }

        @Test
        void untaggedManifestPushesAreIgnored() {
            ObjectNode event = manifestEvent("e1");
            ((ObjectNode) event.get("target")).remove("tag");
            assertIgnored(parse(envelope(event)), "no tagged manifest push: 1 untagged manifest push ignored");

            ((ObjectNode) event.get("target")).put("tag", "");
            assertIgnored(parse(envelope(event)), "no tagged manifest push: 1 untagged manifest push ignored");
        }

        @Test
        void aTagOfOnlyWhiteSpaceIsRefusedNotTakenForAnUntaggedPush() {
            ObjectNode event = manifestEvent("e1");
            ((ObjectNode) event.get("target")).put("tag", "\t  ");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("a tag of only white space");
        }

        @Test
        void pullsMountsAndDeletesAreIgnoredAndCounted() {
            ObjectNode pull1 = manifestEvent("p1").put("action", "pull");
            ObjectNode pull2 = manifestEvent("p2").put("action", "pull");
            ObjectNode mount = manifestEvent("m1").put("action", "mount");
            ObjectNode delete = manifestEvent("d1").put("action", "delete");
            ParsedDelivery d = parse(envelope(pull1, pull2, mount, delete));
            assertIgnored(d, "no tagged manifest push: 2 pulls, 1 mount, 1 delete ignored");
            assertThat(d.eventName()).isEqualTo("pull,mount,delete");
            assertThat(d.dedupKey()).isEqualTo("d1,m1,p1,p2");
        }

        @Test
        void envelopeWithSeveralEventsKeepsOnlyTheTaggedManifestAndIndexPushes() {
            ObjectNode blob = (ObjectNode) fixture("distribution/push-blob.json").get("events").get(0);
            ObjectNode untagged = manifestEvent("c-untagged");
            ((ObjectNode) untagged.get("target")).remove("tag");
            ObjectNode list = manifestEvent("b-list");
            ((ObjectNode) list.get("target")).put("mediaType", DOCKER_LIST).put("tag", "2").put("digest", DIGEST_A);
            ObjectNode pull = manifestEvent("d-pull").put("action", "pull");
            ObjectNode tagged = manifestEvent("a-tagged");

            ParsedDelivery d = parse(envelope(blob, untagged, list, pull, tagged));
            assertThat(images(d)).containsExactly(
                    new ImageCandidate("localhost:5000", "apps/hello", "2", DIGEST_A, DOCKER_LIST),
                    new ImageCandidate("localhost:5000", "apps/hello", "1", MANIFEST_DIGEST, OCI_MANIFEST));
            assertThat(d.dedupKey()).isEqualTo("9cba0055-6207-4ef7-83a7-91d8d074f75c,a-tagged,b-list,c-untagged,d-pull");
            assertThat(d.subject()).isEqualTo("localhost:5000/apps/hello");
            assertThat(d.eventName()).isEqualTo("push,pull");
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                DOCKER_LIST, OCI_MANIFEST})
        void everyManifestAndIndexTypeIsAnImage(String mediaType) {
            ObjectNode event = manifestEvent("e1");
            ((ObjectNode) event.get("target")).put("mediaType", mediaType);
            assertThat(images(parse(envelope(event)))).extracting(ImageCandidate::mediaType).containsExactly(mediaType);
        }

        @Test
        void schema1AndArtifactManifestsAreNotImages() {
            ObjectNode event = manifestEvent("e1");
            ((ObjectNode) event.get("target")).put("mediaType", "application/vnd.docker.distribution.manifest.v1+prettyjws");
            assertIgnored(parse(envelope(event)),
                    "no tagged manifest push: 1 push of manifest type application/vnd.docker.distribution.manifest.v1+prettyjws ignored");
        }

        @Test
        void sameEnvelopeAgainHasTheSameKeyWhateverTheOrderOfItsEvents() {
            ParsedDelivery one = parse(envelope(manifestEvent("x"), manifestEvent("y")));
            ParsedDelivery two = parse(envelope(manifestEvent("y"), manifestEvent("x")));
            assertThat(one.dedupKey()).isEqualTo("x,y").isEqualTo(two.dedupKey());
        }

        @Test
        void registryHostFallsBackToTheTargetUrl() {
            ObjectNode event = manifestEvent("e1");
            event.remove("request");
            ((ObjectNode) event.get("target")).put("url", "https://registry.example.com:8443/v2/apps/hello/manifests/" + MANIFEST_DIGEST);
            assertThat(images(parse(envelope(event)))).extracting(ImageCandidate::registry).containsExactly("registry.example.com:8443");
        }

        @Test
        void eventWithoutAnyRegistryHostIsMalformed() {
            ObjectNode event = manifestEvent("e1");
            event.remove("request");
            ((ObjectNode) event.get("target")).remove("url");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("registry host");
        }

        @Test
        void eventNamingNoValidImageIsLeftOutRatherThanBlockingTheRegistrysQueue() {
            ObjectNode bad = manifestEvent("bad");
            ((ObjectNode) bad.get("target")).put("repository", "Apps/Hello");
            ObjectNode bareHost = manifestEvent("bare");
            ((ObjectNode) bareHost.get("request")).put("host", "registry");
            assertIgnored(parse(envelope(bad, bareHost)), "no tagged manifest push: 2 pushes with an invalid image name ignored");
            assertThat(images(parse(envelope(bad, manifestEvent("good"))))).hasSize(1);
        }

        @Test
        void credentialIsTheStaticAuthorizationHeader() {
            byte[] body = WebhookPayloads.bytes("distribution/push-manifest-tagged.json");
            assertThat(DISTRIBUTION.credential(request("distribution", EVENTS_V1, body, "Authorization", TOKEN)))
                    .isEqualTo(new Credential.Token(TOKEN));
            assertThat(DISTRIBUTION.credential(request("distribution", EVENTS_V1, body)))
                    .isEqualTo(new Credential.Missing("Authorization"));
        }

        @Test
        void claimedSubjectIsTheFirstEventsImageName() {
            assertThat(DISTRIBUTION.claimedSubject(request("distribution", EVENTS_V1, WebhookPayloads.bytes("distribution/push-blob.json"))))
                    .isEqualTo("localhost:5000/base/busybox");
            assertThat(DISTRIBUTION.claimedSubject(request("distribution", EVENTS_V1, utf8("{\"events\":[]}")))).isNull();
            assertThat(DISTRIBUTION.claimedSubject(request("distribution", EVENTS_V1, utf8("{\"events\":")))).isNull();
        }

        @Test
        void truncatedBodyIsMalformed() {
            byte[] body = WebhookPayloads.bytes("distribution/push-manifest-tagged.json");
            assertThatThrownBy(() -> parse(Arrays.copyOf(body, body.length / 2)))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("not valid JSON");
        }

        @Test
        void bodyThatIsNotAnEnvelopeIsMalformed() {
            assertThatThrownBy(() -> parse(utf8("[]"))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessage("body is not a JSON object");
            assertThatThrownBy(() -> parse(utf8("{}"))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/events");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"events\":{}}", "{\"events\":\"push\"}", "{\"events\":null}", "{\"events\":3}"})
        void eventsThatAreNotAnArrayAreMalformed(String body) {
            assertThatThrownBy(() -> parse(utf8(body))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/events must be an array");
        }

        @Test
        void eventWithoutTargetIsMalformed() {
            ObjectNode event = manifestEvent("e1");
            event.remove("target");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/events/0/target");
            event.put("target", "manifest");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/events/0/target");
        }

        @Test
        void eventsThatAreNotObjectsOrHaveNoIdAreMalformed() {
            assertThatThrownBy(() -> parse(utf8("{\"events\":[\"push\"]}"))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/events/0");
            ObjectNode event = manifestEvent("e1");
            event.remove("id");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/id");
        }

        @Test
        void taggedManifestPushWithoutDigestIsMalformed() {
            ObjectNode event = manifestEvent("e1");
            ((ObjectNode) event.get("target")).remove("digest");
            assertThatThrownBy(() -> parse(envelope(event))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/digest");
        }

        @Test
        void emptyEnvelopeIsIgnoredAndKeyedByItsBytes() {
            ParsedDelivery d = parse(utf8("{\"events\":[]}"));
            assertIgnored(d, "no tagged manifest push: the envelope holds no events");
            assertThat(d.dedupKey()).startsWith("sha256:");
        }
    }

    @Nested
    class DockerHub {

        ParsedDelivery parse(byte[] body) {
            return DOCKERHUB.parse(request("dockerhub", JSON, body));
        }

        @Test
        void buildNoticeFixtureBecomesOneImageWhoseDigestTheIntakeResolves() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("docker/docker_hub_build_notice.json"));
            assertThat(images(d)).containsExactly(new ImageCandidate("docker.io", "svendowideit/testhook", "latest", null, null));
            assertThat(d.dedupKey()).isEqualTo("svendowideit/testhook:latest:1417566161");
            assertThat(d.subject()).isEqualTo("docker.io/svendowideit/testhook");
            assertThat(d.eventName()).isEqualTo("push");
        }

        @Test
        void nameWithoutNamespaceIsAnOfficialLibraryImage() {
            ObjectNode body = fixture("docker/docker_hub_build_notice.json");
            ((ObjectNode) body.get("repository")).put("repo_name", "nginx");
            ((ObjectNode) body.get("push_data")).put("tag", "1.27");
            assertThat(images(parse(bytes(body)))).containsExactly(new ImageCandidate("docker.io", "library/nginx", "1.27", null, null));
        }

        @Test
        void aLaterPushOfTheSameTagIsANewDelivery() {
            ObjectNode body = fixture("docker/docker_hub_build_notice.json");
            ((ObjectNode) body.get("push_data")).put("pushed_at", 1417566999);
            assertThat(parse(bytes(body)).dedupKey()).isEqualTo("svendowideit/testhook:latest:1417566999");
        }

        @Test
        void isUnsignedAndClaimsItsImage() {
            WebhookRequest request = request("dockerhub", JSON, WebhookPayloads.bytes("docker/docker_hub_build_notice.json"));
            assertThat(DOCKERHUB.credential(request)).isEqualTo(new Credential.Unsigned());
            assertThat(DOCKERHUB.claimedSubject(request)).isEqualTo("docker.io/svendowideit/testhook");
            assertThat(DOCKERHUB.claimedSubject(request("dockerhub", JSON, utf8("not json")))).isNull();
        }

        @Test
        void missingTagRepositoryOrPushTimeIsMalformed() {
            for (String pointer : List.of("push_data/tag", "repository/repo_name", "push_data/pushed_at")) {
                ObjectNode body = fixture("docker/docker_hub_build_notice.json");
                String[] parts = pointer.split("/");
                ((ObjectNode) body.get(parts[0])).remove(parts[1]);
                assertThatThrownBy(() -> parse(bytes(body))).as(pointer).isInstanceOf(MalformedWebhookException.class)
                        .hasMessageContaining(parts[1]);
            }
        }

        @Test
        void invalidImageNameIsMalformed() {
            ObjectNode body = fixture("docker/docker_hub_build_notice.json");
            ((ObjectNode) body.get("repository")).put("repo_name", "SvenDowideit/TestHook");
            assertThatThrownBy(() -> parse(bytes(body))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("invalid image reference");
        }
    }

    @Nested
    class Harbor {

        static final String AUTH = "Bearer harbor-test-token-0123456789";

        static final String PUSH = WebhookPayloads.harborPush(1_700_000_000L, DIGEST_A);

        static final String CLOUDEVENT_PUSH = """
                {"specversion":"1.0","requestid":"5b8f3b6c-8d1f-4b6e-9d7a-0c1e2f3a4b5c","id":"7c3c6f0e-2a59-4f3b-9a43-2b5b5c5e0f11",
                 "source":"/projects/1/webhook/policies/3","type":"harbor.artifact.pushed","datacontenttype":"application/json",
                 "time":"2024-05-01T10:00:00Z","operator":"admin",
                 "data":{
                   "resources":[{"digest":"%s","tag":"latest","resource_url":"harbor.example.com/library/app:latest"}],
                   "repository":{"date_created":1690000000,"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}
                """.formatted(DIGEST_A);

        static final String PULL = """
                {"type":"PULL_ARTIFACT","occur_at":1700000100,"operator":"robot$ci",
                 "event_data":{
                   "resources":[{"digest":"%s","tag":"latest","resource_url":"harbor.example.com/library/app:latest"}],
                   "repository":{"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}
                """.formatted(DIGEST_A);

        static final String CLOUDEVENT_DELETE = """
                {"specversion":"1.0","id":"0f6d0a4e-1111-4222-8333-944455556666","source":"/projects/1/webhook/policies/3",
                 "type":"harbor.artifact.deleted","data":{
                   "resources":[{"digest":"%s","tag":"old","resource_url":"harbor.example.com/library/app:old"}],
                   "repository":{"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}
                """.formatted(DIGEST_B);

        ParsedDelivery parse(String contentType, String body) {
            return HARBOR.parse(request("harbor", contentType, utf8(body), "Authorization", AUTH));
        }

        @Test
        void defaultFormatArtifactPushBecomesAnImageWithItsDigest() {
            ParsedDelivery d = parse(JSON, PUSH);
            assertThat(images(d)).containsExactly(new ImageCandidate("harbor.example.com", "library/app", "latest", DIGEST_A, null));
            assertThat(d.eventName()).isEqualTo("PUSH_ARTIFACT");
            assertThat(d.dedupKey()).isEqualTo("harbor.example.com/library/app:latest@" + DIGEST_A);
            assertThat(d.subject()).isEqualTo("harbor.example.com/library/app");
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/cloudevents+json", JSON})
        void cloudEventsFormatIsTheSamePushUnderTheSameKey(String contentType) {
            assertThat(HARBOR.mediaTypes()).contains(contentType);
            ParsedDelivery d = parse(contentType, CLOUDEVENT_PUSH);
            assertThat(images(d)).containsExactly(new ImageCandidate("harbor.example.com", "library/app", "latest", DIGEST_A, null));
            assertThat(d.eventName()).isEqualTo("harbor.artifact.pushed");
            assertThat(d.dedupKey()).isEqualTo(parse(JSON, PUSH).dedupKey());
        }

        @Test
        void pullIsIgnored() {
            ParsedDelivery d = parse(JSON, PULL);
            assertIgnored(d, "event type PULL_ARTIFACT is not an artifact push");
            assertThat(d.eventName()).isEqualTo("PULL_ARTIFACT");
            assertThat(d.subject()).isEqualTo("harbor.example.com/library/app");
        }

        @Test
        void otherCloudEventsAreIgnoredAndKeyedBySourceAndId() {
            ParsedDelivery d = parse("application/cloudevents+json", CLOUDEVENT_DELETE);
            assertIgnored(d, "event type harbor.artifact.deleted is not an artifact push");
            assertThat(d.dedupKey()).isEqualTo("harbor.artifact.deleted:/projects/1/webhook/policies/3:0f6d0a4e-1111-4222-8333-944455556666");
        }

        @Test
        void scanningEventsAreIgnored() {
            assertIgnored(parse(JSON, "{\"type\":\"SCANNING_COMPLETED\",\"event_data\":{}}"),
                    "event type SCANNING_COMPLETED is not an artifact push");
        }

        @Test
        void everyTaggedResourceIsAnImageAndUntaggedOnesAreLeftOut() {
            ObjectNode body = (ObjectNode) tree(utf8(PUSH));
            ArrayNode resources = (ArrayNode) body.at("/event_data/resources");
            resources.addObject().put("digest", DIGEST_B).put("tag", "v2").put("resource_url", "harbor.example.com/library/app:v2");
            resources.addObject().put("digest", DIGEST_B).put("tag", "").put("resource_url", "harbor.example.com/library/app@" + DIGEST_B);
            ParsedDelivery d = parse(JSON, body.toString());
            assertThat(images(d)).extracting(ImageCandidate::tag, ImageCandidate::digest)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("latest", DIGEST_A), org.assertj.core.groups.Tuple.tuple("v2", DIGEST_B));
            assertThat(d.dedupKey()).isEqualTo("harbor.example.com/library/app:latest@" + DIGEST_A + ","
                    + "harbor.example.com/library/app:v2@" + DIGEST_B + ","
                    + "harbor.example.com/library/app@" + DIGEST_B);
        }

        @Test
        void pushByDigestOnlyIsIgnored() {
            ObjectNode body = (ObjectNode) tree(utf8(PUSH));
            ((ObjectNode) body.at("/event_data/resources/0")).remove("tag");
            assertIgnored(parse(JSON, body.toString()), "no tagged artifact: 1 untagged push ignored");
        }

        @Test
        void repositoryFallsBackToNamespaceAndName() {
            ObjectNode body = (ObjectNode) tree(utf8(PUSH));
            ((ObjectNode) body.at("/event_data/repository")).remove("repo_full_name");
            assertThat(images(parse(JSON, body.toString()))).extracting(ImageCandidate::repository).containsExactly("library/app");
        }

        @Test
        void credentialIsTheAuthorizationHeader() {
            assertThat(HARBOR.credential(request("harbor", JSON, utf8(PUSH), "Authorization", AUTH))).isEqualTo(new Credential.Token(AUTH));
            assertThat(HARBOR.credential(request("harbor", JSON, utf8(PUSH)))).isEqualTo(new Credential.Missing("Authorization"));
        }

        @Test
        void claimedSubjectIsTheImageName() {
            assertThat(HARBOR.claimedSubject(request("harbor", JSON, utf8(PUSH)))).isEqualTo("harbor.example.com/library/app");
            assertThat(HARBOR.claimedSubject(request("harbor", JSON, utf8(CLOUDEVENT_PUSH)))).isEqualTo("harbor.example.com/library/app");
            assertThat(HARBOR.claimedSubject(request("harbor", JSON, utf8("{\"type\":1}")))).isNull();
        }

        @Test
        void resourceUrlWithoutRegistryHostIsMalformed() {
            ObjectNode body = (ObjectNode) tree(utf8(PUSH));
            ((ObjectNode) body.at("/event_data/resources/0")).put("resource_url", "library/app:latest");
            assertThatThrownBy(() -> parse(JSON, body.toString())).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("registry host");
        }

        @Test
        void pushWithoutResourcesArrayOrRepositoryIsMalformed() {
            ObjectNode noResources = (ObjectNode) tree(utf8(PUSH));
            ((ObjectNode) noResources.get("event_data")).put("resources", "all");
            assertThatThrownBy(() -> parse(JSON, noResources.toString())).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/event_data/resources");
            ObjectNode noRepository = (ObjectNode) tree(utf8(CLOUDEVENT_PUSH));
            ((ObjectNode) noRepository.get("data")).remove("repository");
            assertThatThrownBy(() -> parse(JSON, noRepository.toString())).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/data/repository");
            assertThatThrownBy(() -> parse(JSON, "{\"type\":\"PUSH_ARTIFACT\"}")).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/event_data");
        }

        @Test
        void invalidDigestIsMalformed() {
            assertThatThrownBy(() -> parse(JSON, PUSH.replace(DIGEST_A, "sha256:abc"))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("invalid digest");
        }
    }

    @Nested
    class Quay {

        static final String PUSH = WebhookPayloads.quayPush("mynamespace/repository", "v1", "latest");

        ParsedDelivery parse(String body) {
            return QUAY.parse(request("quay", JSON, utf8(body)));
        }

        @Test
        void everyUpdatedTagBecomesAnImageWhoseDigestTheIntakeResolves() {
            ParsedDelivery d = parse(PUSH);
            assertThat(images(d)).containsExactly(
                    new ImageCandidate("quay.io", "mynamespace/repository", "latest", null, null),
                    new ImageCandidate("quay.io", "mynamespace/repository", "v1", null, null));
            assertThat(d.dedupKey()).isEqualTo("quay.io/mynamespace/repository:latest,v1");
            assertThat(d.subject()).isEqualTo("quay.io/mynamespace/repository");
        }

        @Test
        void keyDoesNotDependOnTheOrderOfTheTags() {
            assertThat(parse(PUSH.replace("[\"v1\",\"latest\"]", "[\"latest\",\"v1\",\"v1\"]")).dedupKey())
                    .isEqualTo(parse(PUSH).dedupKey());
        }

        @Test
        void registryIsTheHostOfTheDockerUrl() {
            ParsedDelivery d = parse(PUSH.replace("quay.io/mynamespace", "quay.internal:8443/mynamespace"));
            assertThat(images(d)).extracting(ImageCandidate::registry).containsOnly("quay.internal:8443");
        }

        @Test
        void noUpdatedTagIsIgnored() {
            assertIgnored(parse(PUSH.replace("[\"v1\",\"latest\"]", "[]")), "no tag updated");
        }

        @Test
        void isUnsignedAndClaimsItsImage() {
            WebhookRequest request = request("quay", JSON, utf8(PUSH));
            assertThat(QUAY.credential(request)).isEqualTo(new Credential.Unsigned());
            assertThat(QUAY.claimedSubject(request)).isEqualTo("quay.io/mynamespace/repository");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"latest\"", "[1]", "[[\"v1\"]]", "null"})
        void updatedTagsThatAreNotAListOfTagsAreMalformed(String tags) {
            assertThatThrownBy(() -> parse(PUSH.replace("[\"v1\",\"latest\"]", tags))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/updated_tags");
        }

        @ParameterizedTest
        @ValueSource(strings = {"mynamespace/repository", "quay.io", "quay.io/"})
        void dockerUrlWithoutRegistryOrRepositoryIsMalformed(String dockerUrl) {
            assertThatThrownBy(() -> parse(PUSH.replace("\"quay.io/mynamespace/repository\"", "\"" + dockerUrl + "\"")))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("docker_url");
        }

        @Test
        void invalidTagIsMalformed() {
            assertThatThrownBy(() -> parse(PUSH.replace("\"v1\"", "\"-v1\""))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("invalid tag");
        }
    }

    @Nested
    class Ghcr {

        static final String HOOK = "424242";
        static final String DELIVERY = "9a7e7c1e-0b4f-11ef-8a3b-6e1f2b3c4d5e";
        static final String SIGNATURE = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        static final String PUBLISHED = """
                {"action":"published",
                 "package":{"id":101,"name":"app","namespace":"Octo-Org","ecosystem":"CONTAINER","package_type":"CONTAINER",
                   "html_url":"https://github.com/orgs/Octo-Org/packages/container/package/app",
                   "owner":{"login":"Octo-Org","type":"Organization"},
                   "package_version":{"id":202,"version":"%s","name":"%s",
                     "container_metadata":{"tag":{"name":"v1","digest":"%s"},"labels":{},"manifest":{}},
                     "package_url":"ghcr.io/octo-org/app:v1"},
                   "registry":{"about_url":"https://docs.github.com/packages","name":"GitHub Container Registry","type":"docker",
                     "url":"https://ghcr.io","vendor":"GitHub Inc"}},
                 "repository":{"full_name":"Octo-Org/app","clone_url":"https://github.com/Octo-Org/app.git"},
                 "sender":{"login":"octocat"}}
                """.formatted(DIGEST_A, DIGEST_A, DIGEST_A);

        static final String NPM = """
                {"action":"published",
                 "package":{"id":103,"name":"lib","namespace":"octo-org","ecosystem":"npm","package_type":"npm",
                   "package_version":{"id":204,"version":"1.2.3","npm_metadata":{}},
                   "registry":{"url":"https://npm.pkg.github.com/octo-org","vendor":"GitHub Inc"}}}
                """;

        WebhookRequest github(String event, String body, String... extra) {
            List<String> headers = new ArrayList<>(List.of("X-GitHub-Event", event, "X-GitHub-Hook-ID", HOOK,
                    "X-GitHub-Delivery", DELIVERY, "X-Hub-Signature-256", "sha256=" + SIGNATURE));
            headers.addAll(List.of(extra));
            return request("ghcr", JSON, utf8(body), headers.toArray(String[]::new));
        }

        ParsedDelivery parse(String body) {
            return GHCR.parse(github("package", body));
        }

        @Test
        void publishedContainerVersionBecomesAnImageWithItsDigest() {
            ParsedDelivery d = parse(PUBLISHED);
            assertThat(images(d)).containsExactly(new ImageCandidate("ghcr.io", "octo-org/app", "v1", DIGEST_A, null));
            assertThat(d.eventName()).isEqualTo("package");
            assertThat(d.dedupKey()).isEqualTo("ghcr.io/octo-org/app:v1@" + DIGEST_A);
            assertThat(d.subject()).isEqualTo("ghcr.io/octo-org/app");
        }

        @Test
        void documentedPackageAndRegistryPackageEventsAreOnePushUnderOneKey() {
            WebhookRequest pkg = request("ghcr", JSON, WebhookPayloads.bytes("github/package-published.json"),
                    "X-GitHub-Event", "package", "X-GitHub-Hook-ID", HOOK, "X-GitHub-Delivery", DELIVERY);
            WebhookRequest registryPackage = request("ghcr", JSON, WebhookPayloads.bytes("github/registry_package-published.json"),
                    "X-GitHub-Event", "registry_package", "X-GitHub-Hook-ID", HOOK, "X-GitHub-Delivery", "another-delivery-id");
            ParsedDelivery one = GHCR.parse(pkg);
            ParsedDelivery two = GHCR.parse(registryPackage);
            ImageCandidate pushed = new ImageCandidate("ghcr.io", "codertocat/hello-world", "latest", WebhookPayloads.GHCR_PACKAGE_DIGEST, null);
            assertThat(images(one)).containsExactly(pushed);
            assertThat(images(two)).containsExactly(pushed);
            assertThat(one.eventName()).isEqualTo("package");
            assertThat(two.eventName()).isEqualTo("registry_package");
            assertThat(two.dedupKey()).isEqualTo(one.dedupKey()).isEqualTo("ghcr.io/codertocat/hello-world:latest@" + WebhookPayloads.GHCR_PACKAGE_DIGEST);
            assertThat(GHCR.claimedSubject(registryPackage)).isEqualTo(GHCR.claimedSubject(pkg)).isEqualTo("ghcr.io/codertocat/hello-world");
        }

        @Test
        void registryPackageEventIsReadFromItsOwnField() {
            String body = PUBLISHED.replace("\"package\":{", "\"registry_package\":{");
            assertThat(images(GHCR.parse(github("registry_package", body)))).hasSize(1);
            // each event reads only its own field
            assertThatThrownBy(() -> GHCR.parse(github("package", body))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/package");
            assertThatThrownBy(() -> GHCR.parse(github("registry_package", PUBLISHED))).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("/registry_package");
        }

        @Test
        void aPushWithoutADigestIsKeyedByItsTagForTheIntakeToAddTheDigest() {
            ObjectNode body = (ObjectNode) tree(utf8(PUBLISHED));
            ((ObjectNode) body.at("/package/package_version/container_metadata/tag")).remove("digest");
            ((ObjectNode) body.at("/package/package_version")).put("version", "v1");
            assertThat(parse(body.toString()).dedupKey()).isEqualTo("ghcr.io/octo-org/app:v1");
        }

        @Test
        void updatedVersionIsAPushToo() {
            assertThat(images(parse(PUBLISHED.replace("\"published\"", "\"updated\"")))).hasSize(1);
        }

        @Test
        void lowerCasePackageTypeIsAContainerToo() {
            assertThat(images(parse(PUBLISHED.replace("\"package_type\":\"CONTAINER\"", "\"package_type\":\"container\"")))).hasSize(1);
        }

        @Test
        void nonContainerPackagesAreIgnored() {
            ParsedDelivery d = parse(NPM);
            assertIgnored(d, "package type npm is not a container image");
            assertThat(d.dedupKey()).isEqualTo(HOOK + ":" + DELIVERY);
        }

        @Test
        void otherActionsAreIgnored() {
            assertIgnored(parse(PUBLISHED.replace("\"published\"", "\"deleted\"")), "package action 'deleted' is not a publish");
        }

        @Test
        void untaggedVersionsAreIgnored() {
            assertIgnored(parse(PUBLISHED.replace("\"name\":\"v1\"", "\"name\":\"\"")), "package version has no tag");
        }

        @Test
        void pingAndOtherEventsAreIgnored() {
            ParsedDelivery ping = GHCR.parse(github("ping", "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":424242}"));
            assertIgnored(ping, "ping: nothing to do");
            assertThat(ping.dedupKey()).isEqualTo(HOOK + ":" + DELIVERY);
            assertIgnored(GHCR.parse(github("push", "{}")), "event 'push' is not a package event");
        }

        @Test
        void digestFallsBackToTheVersionName() {
            ObjectNode body = (ObjectNode) tree(utf8(PUBLISHED));
            ((ObjectNode) body.at("/package/package_version/container_metadata/tag")).remove("digest");
            assertThat(images(parse(body.toString()))).extracting(ImageCandidate::digest).containsExactly(DIGEST_A);
            ((ObjectNode) body.at("/package/package_version")).put("version", "v1");
            assertThat(images(parse(body.toString()))).extracting(ImageCandidate::digest).containsExactly((String) null);
        }

        @Test
        void registryComesFromThePackageRegistryUrl() {
            assertThat(images(parse(PUBLISHED.replace("https://ghcr.io", "https://containers.ghe.example.com"))))
                    .extracting(ImageCandidate::registry).containsExactly("containers.ghe.example.com");
            ObjectNode body = (ObjectNode) tree(utf8(PUBLISHED));
            ((ObjectNode) body.get("package")).remove("registry");
            assertThat(images(parse(body.toString()))).extracting(ImageCandidate::registry).containsExactly("ghcr.io");
        }

        @Test
        void credentialIsTheSignatureWithoutItsPrefix() {
            assertThat(GHCR.credential(github("package", PUBLISHED))).isEqualTo(new Credential.HmacSha256(SIGNATURE));
        }

        @Test
        void missingSignatureIsMissing() {
            WebhookRequest unsigned = request("ghcr", JSON, utf8(PUBLISHED), "X-GitHub-Event", "package",
                    "X-GitHub-Delivery", DELIVERY);
            assertThat(GHCR.credential(unsigned)).isEqualTo(new Credential.Missing("X-Hub-Signature-256"));
        }

        @Test
        void claimedSubjectIsTheLowerCasedImageName() {
            assertThat(GHCR.claimedSubject(github("package", PUBLISHED))).isEqualTo("ghcr.io/octo-org/app");
            assertThat(GHCR.claimedSubject(github("package", "{\"package\":[]}"))).isNull();
        }

        @Test
        void missingEventOrDeliveryHeaderIsMalformed() {
            assertThatThrownBy(() -> GHCR.parse(request("ghcr", JSON, utf8(PUBLISHED), "X-GitHub-Delivery", DELIVERY)))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("X-GitHub-Event");
            assertThatThrownBy(() -> GHCR.parse(request("ghcr", JSON, utf8(PUBLISHED), "X-GitHub-Event", "package")))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("X-GitHub-Delivery");
        }

        @Test
        void packageThatIsNotAnObjectIsMalformed() {
            assertThatThrownBy(() -> parse("{\"action\":\"published\",\"package\":\"app\"}"))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/package");
        }
    }

    /** Valid bodies of every sender, with the request that carries them. */
    static Stream<Arguments> validDeliveries() {
        return Stream.of(
                Arguments.of(DISTRIBUTION, (Supplier<byte[]>) () -> WebhookPayloads.bytes("distribution/push-manifest-tagged.json"), new String[0]),
                Arguments.of(DISTRIBUTION, (Supplier<byte[]>) () -> WebhookPayloads.bytes("distribution/push-blob.json"), new String[0]),
                Arguments.of(DOCKERHUB, (Supplier<byte[]>) () -> WebhookPayloads.bytes("docker/docker_hub_build_notice.json"), new String[0]),
                Arguments.of(HARBOR, (Supplier<byte[]>) () -> utf8(Harbor.PUSH), new String[0]),
                Arguments.of(HARBOR, (Supplier<byte[]>) () -> utf8(Harbor.CLOUDEVENT_PUSH), new String[0]),
                Arguments.of(QUAY, (Supplier<byte[]>) () -> utf8(Quay.PUSH), new String[0]),
                Arguments.of(GHCR, (Supplier<byte[]>) () -> utf8(Ghcr.PUBLISHED),
                        new String[] {"X-GitHub-Event", "package", "X-GitHub-Delivery", Ghcr.DELIVERY}),
                Arguments.of(GHCR, (Supplier<byte[]>) () -> WebhookPayloads.bytes("github/registry_package-published.json"),
                        new String[] {"X-GitHub-Event", "registry_package", "X-GitHub-Delivery", Ghcr.DELIVERY}),
                Arguments.of(RepositoryManagerProvidersTests.ACR, (Supplier<byte[]>) () -> WebhookPayloads.bytes("acr/push.json"),
                        new String[0]),
                Arguments.of(RepositoryManagerProvidersTests.NEXUS, (Supplier<byte[]>) () -> WebhookPayloads.bytes("nexus/component-docker.json"),
                        new String[] {"X-Nexus-Webhook-Id", "rm:repository:component"}),
                Arguments.of(RepositoryManagerProvidersTests.ARTIFACTORY,
                        (Supplier<byte[]>) () -> WebhookPayloads.bytes("artifactory/docker-pushed.json"), new String[0]));
    }

    /**
     * Every value anywhere in a valid body replaced by each JSON type in turn, and the body cut short at many
     * points: the provider either reads it or calls it malformed, and never fails in any other way.
     */
    @ParameterizedTest
    @MethodSource("validDeliveries")
    void anyBrokenBodyIsReadOrMalformedAndNeverAnotherFailure(WebhookProvider provider, Supplier<byte[]> body, String[] headers) {
        byte[] original = body.get();
        List<byte[]> variants = new ArrayList<>();
        JsonNode root = tree(original);
        List<String> pointers = new ArrayList<>();
        collectPointers(root, "", pointers);
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> replacements = List.of(f.nullNode(), f.numberNode(7), f.numberNode(1.5e300), f.textNode(""),
                f.textNode("Ü/../x"), f.booleanNode(true), f.arrayNode(), f.objectNode(), f.arrayNode().add("v1"));
        for (String pointer : pointers) {
            for (JsonNode replacement : replacements) {
                JsonNode copy = root.deepCopy();
                replace(copy, pointer, replacement);
                variants.add(bytes(copy));
            }
        }
        for (int cut = 0; cut < original.length; cut += Math.max(1, original.length / 40)) {
            variants.add(Arrays.copyOf(original, cut));
        }
        for (String whole : List.of("", "null", "1", "\"x\"", "[]", "{}", "[{}]", "\u0000", "{\"a\":")) {
            variants.add(utf8(whole));
        }

        for (byte[] variant : variants) {
            WebhookRequest request = request(provider.sender(), JSON, variant, headers);
            Throwable thrown = catchThrowable(() -> {
                ParsedDelivery d = provider.parse(request);
                if (d.ignored() == null) {
                    assertThat(d.images()).as("images of a delivery not ignored").isNotEmpty();
                }
            });
            assertThat(thrown).as("parse of %s", new String(variant, StandardCharsets.UTF_8))
                    .satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(MalformedWebhookException.class));
            assertThat(catchThrowable(() -> provider.claimedSubject(request))).as("claimedSubject").isNull();
            assertThat(catchThrowable(() -> provider.credential(request))).as("credential").isNull();
        }
    }

    private static void collectPointers(JsonNode node, String at, List<String> pointers) {
        if (!at.isEmpty()) {
            pointers.add(at);
        }
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> collectPointers(node.get(name), at + "/" + name, pointers));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectPointers(node.get(i), at + "/" + i, pointers);
            }
        }
    }

    private static void replace(JsonNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        }
    }
}
