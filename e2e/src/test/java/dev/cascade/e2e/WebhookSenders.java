package dev.cascade.e2e;

import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every webhook sender as trigger-service knows it, for sending it broken input: where it posts, the media types it
 * uses, a real payload (the captured ones in test-support; the documented shape for senders without one), the headers it sends,
 * how it proves itself, and which fields of its payload the service must read in which shape. A field listed here,
 * given a value of one of its {@code wrong} kinds, makes the delivery malformed; a field in {@code checked} must
 * hold a commit id, tag, digest or image name, which no string of ten thousand characters is.
 */
final class WebhookSenders {

    static final String GITHUB_SECRET = "fuzz-github-secret-0123456789";
    static final String GITLAB_TOKEN = "fuzz-gitlab-token-0123456789";
    static final String GITEA_SECRET = "fuzz-gitea-secret-0123456789";
    static final String BITBUCKET_SECRET = "fuzz-bitbucket-secret-0123456789";
    static final String GENERIC_SECRET = "fuzz-generic-secret-0123456789";
    static final String DISTRIBUTION_TOKEN = "fuzz-distribution-token-0123456789";
    static final String HARBOR_TOKEN = "fuzz-harbor-token-0123456789";
    static final String ACR_TOKEN = "fuzz-acr-token-0123456789";
    static final String NEXUS_SECRET = "fuzz-nexus-secret-0123456789";
    static final String ARTIFACTORY_SECRET = "fuzz-artifactory-secret-0123456789";
    /** The registry that serves the Nexus repository of the Nexus payload: the empty one that stands in for docker.io. */
    static final String NEXUS_REGISTRY = "nexus.example.com:8443";

    /** The service's configuration of those secrets, as environment variables. */
    static Map<String, String> secretsEnv() {
        return Map.ofEntries(
                Map.entry("CASCADE_WEBHOOKS_GITHUB_SECRETS", GITHUB_SECRET),
                Map.entry("CASCADE_WEBHOOKS_GHCR_SECRETS", GITHUB_SECRET),
                Map.entry("CASCADE_WEBHOOKS_GITLAB_SECRETS", GITLAB_TOKEN),
                Map.entry("CASCADE_WEBHOOKS_GITEA_SECRETS", GITEA_SECRET),
                Map.entry("CASCADE_WEBHOOKS_BITBUCKET_SECRETS", BITBUCKET_SECRET),
                Map.entry("CASCADE_WEBHOOKS_GENERIC_SECRETS", GENERIC_SECRET),
                Map.entry("CASCADE_WEBHOOKS_DISTRIBUTION_SECRETS", DISTRIBUTION_TOKEN),
                Map.entry("CASCADE_WEBHOOKS_HARBOR_SECRETS", HARBOR_TOKEN),
                Map.entry("CASCADE_WEBHOOKS_ACR_SECRETS", ACR_TOKEN),
                Map.entry("CASCADE_WEBHOOKS_NEXUS_SECRETS", NEXUS_SECRET),
                Map.entry("CASCADE_WEBHOOKS_NEXUS_REGISTRIES", "docker-hosted=" + NEXUS_REGISTRY),
                Map.entry("CASCADE_WEBHOOKS_ARTIFACTORY_SECRETS", ARTIFACTORY_SECRET));
    }

    /**
     * One request: a POST of {@code body} to {@code path} with these headers, and the status it must be answered with
     * ({@code 0}: some 4xx).
     */
    record Input(String label, String path, Map<String, String> headers, byte[] body, int expect) {

        Input(String label, String path, Map<String, String> headers, byte[] body) {
            this(label, path, headers, body, 0);
        }

        Input withHeaders(Map<String, String> changed) {
            return new Input(label, path, changed, body, expect);
        }

        Input withPath(String changed) {
            return new Input(label, changed, headers, body, expect);
        }

        Input expecting(int status) {
            return new Input(label, path, headers, body, status);
        }

        @Override
        public String toString() {
            StringBuilder shown = new StringBuilder();
            headers.forEach((k, v) -> shown.append(k).append(": ").append(abbreviate(v, 120)).append("; "));
            return label + (expect == 0 ? "" : " (must be answered " + expect + ")") + " -> POST " + abbreviate(path, 200) + " [" + shown + "] " + body.length + " bytes: "
                    + abbreviate(new String(body, StandardCharsets.UTF_8), 300);
        }

        private static String abbreviate(String s, int max) {
            String oneLine = s.replace("\n", "\\n").replace("\r", "\\r");
            return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "… (" + s.length() + " chars)";
        }
    }

    /** Kinds of JSON value. */
    enum Kind { STRING, NUMBER, BOOLEAN, OBJECT, ARRAY, NULL }

    /** Any value but a string (or null), where the service reads a string strictly. */
    static final Set<Kind> NOT_A_STRING = EnumSet.of(Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT, Kind.ARRAY);
    /** Where the service reads a required value leniently (a number reads as its text): a structure, or nothing. */
    static final Set<Kind> NOT_A_VALUE = EnumSet.of(Kind.OBJECT, Kind.ARRAY, Kind.NULL);
    static final Set<Kind> NOT_AN_OBJECT = EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY);
    static final Set<Kind> NOT_AN_ARRAY = EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT);
    static final Set<Kind> NOT_A_BOOLEAN = EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.OBJECT, Kind.ARRAY);
    static final Set<Kind> NOT_A_WHOLE_NUMBER = EnumSet.of(Kind.STRING, Kind.BOOLEAN, Kind.OBJECT, Kind.ARRAY);

    /** A field at a JSON pointer, and the kinds of value that make a delivery malformed there. */
    record Field(String pointer, Set<Kind> wrong) {
    }

    /** How a sender proves itself. */
    sealed interface Proof {
    }

    /** An HMAC of the body ({@code HmacSHA256}, or Nexus's {@code HmacSHA1}), in each of these headers, after each prefix. */
    record Hmac(String algorithm, String secret, List<String> headers, List<String> prefixes) implements Proof {

        Hmac(String secret, List<String> headers, List<String> prefixes) {
            this("HmacSHA256", secret, headers, prefixes);
        }

        String of(String key, byte[] body) {
            return WebhookDelivery.hmacHex(algorithm, key, body);
        }
    }

    /** A shared token in a header, after a prefix. */
    record Token(String header, String prefix, String token) implements Proof {
    }

    /** A secret in the last segment of the URL path. */
    record PathSecret(String secret) implements Proof {
    }

    /** Nothing: the sender signs nothing. */
    record Unsigned() implements Proof {
    }

    /**
     * One sender.
     *
     * @param path       where it posts (for a path secret: the path without it)
     * @param mediaTypes the media types the service takes from it; the first is the one these payloads use
     * @param headers    what it sends besides its proof (event names, delivery ids)
     * @param fields     fields the service must read in a shape, with the wrong kinds there
     * @param checked    fields whose value must be a commit id, tag, digest or image name
     */
    record Sender(String name, String path, List<String> mediaTypes, byte[] payload, Map<String, String> headers, Proof proof,
                  List<Field> fields, List<String> checked) {

        String contentType() {
            return mediaTypes.get(0);
        }

        boolean signs() {
            return !(proof instanceof Unsigned);
        }

        /** The request this sender makes for {@code body}, proven as the sender proves it. */
        Input send(String label, byte[] body) {
            return send(label, contentType(), body);
        }

        Input send(String label, String contentType, byte[] body) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (contentType != null) {
                all.put("Content-Type", contentType);
            }
            String url = path;
            if (proof instanceof Hmac h) {
                String hex = h.of(h.secret(), body);
                for (int i = 0; i < h.headers().size(); i++) {
                    all.put(h.headers().get(i), h.prefixes().get(i) + hex);
                }
            } else if (proof instanceof Token t) {
                all.put(t.header(), t.prefix() + t.token());
            } else if (proof instanceof PathSecret p) {
                url = path + "/" + p.secret();
            }
            return new Input(name + ": " + label, url, all, body);
        }

        /** The names of the headers that carry this sender's proof. */
        List<String> proofHeaders() {
            if (proof instanceof Hmac h) {
                return h.headers();
            }
            return proof instanceof Token t ? List.of(t.header()) : List.of();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final Sender GITHUB = new Sender("github", "/webhooks/git/github", List.of("application/json", "application/x-www-form-urlencoded"),
            WebhookPayloads.bytes("github/push.json"),
            headers("X-GitHub-Event", "push", "X-GitHub-Hook-ID", "4711", "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            new Hmac(GITHUB_SECRET, List.of("X-Hub-Signature-256"), List.of("sha256=")),
            List.of(strict("/ref"), strict("/after"), strict("/before"), new Field("/repository", NOT_AN_OBJECT),
                    strict("/repository/clone_url"), new Field("/deleted", NOT_A_BOOLEAN), new Field("/forced", NOT_A_BOOLEAN),
                    new Field("/head_commit", NOT_AN_OBJECT), strict("/head_commit/message"), strict("/head_commit/id"),
                    new Field("/commits", NOT_AN_ARRAY), new Field("/commits/0", NOT_AN_OBJECT),
                    new Field("/commits/0/added", NOT_AN_ARRAY), new Field("/commits/0/modified", NOT_AN_ARRAY),
                    new Field("/commits/0/removed", NOT_AN_ARRAY), strict("/commits/0/added/0"), strict("/pusher/name")),
            List.of("/after", "/before"));

    static final Sender GITLAB = new Sender("gitlab", "/webhooks/git/gitlab", List.of("application/json"),
            WebhookPayloads.bytes("gitlab/push-event.json"),
            headers("X-Gitlab-Event", "Push Hook", "Idempotency-Key", "8f8f3ce4-f59e-4274-87c2-74430cc48b6b"),
            new Token("X-Gitlab-Token", "", GITLAB_TOKEN),
            List.of(strict("/ref"), strict("/after"), strict("/before"), strict("/project/git_http_url"), strict("/checkout_sha"),
                    new Field("/commits", NOT_AN_ARRAY), new Field("/commits/0", NOT_AN_OBJECT), strict("/commits/0/id"),
                    strict("/commits/0/message"), new Field("/commits/0/added", NOT_AN_ARRAY),
                    new Field("/commits/0/modified", NOT_AN_ARRAY), strict("/commits/0/added/0"),
                    new Field("/total_commits_count", NOT_A_WHOLE_NUMBER), strict("/user_name")),
            List.of("/after", "/before"));

    static final Sender GITEA = new Sender("gitea", "/webhooks/git/gitea", List.of("application/json"),
            WebhookPayloads.bytes("gitea/push-real.json"),
            headers("X-Gitea-Event", "push", "X-Gitea-Delivery", "a8ab4b2e-3f6d-4c47-9a0e-3a1b5c7d9e0f"),
            new Hmac(GITEA_SECRET, List.of("X-Gitea-Signature", "X-Hub-Signature-256"), List.of("", "sha256=")),
            List.of(strict("/ref"), strict("/after"), strict("/before"), strict("/repository/clone_url"),
                    new Field("/commits", NOT_AN_ARRAY), new Field("/commits/0", NOT_AN_OBJECT), strict("/commits/0/id"),
                    strict("/commits/0/message"), new Field("/commits/0/modified", NOT_AN_ARRAY), strict("/commits/0/modified/0"),
                    strict("/pusher/login")),
            List.of("/after", "/before"));

    static final Sender BITBUCKET = new Sender("bitbucket", "/webhooks/git/bitbucket", List.of("application/json"),
            WebhookPayloads.bytes("bitbucket/push-real.json"),
            headers("X-Event-Key", "repo:push", "X-Request-UUID", "0c3a5f6e-2b1d-4e8f-9a7c-6d5e4f3a2b1c"),
            new Hmac(BITBUCKET_SECRET, List.of("X-Hub-Signature"), List.of("sha256=")),
            List.of(strict("/repository/links/html/href"), new Field("/push/changes", NOT_AN_ARRAY),
                    new Field("/push/changes/0", NOT_AN_OBJECT), new Field("/push/changes/0/new", NOT_AN_OBJECT),
                    strict("/push/changes/0/new/name"), strict("/push/changes/0/new/type"), strict("/push/changes/0/new/target/hash"),
                    strict("/push/changes/0/new/target/message"), strict("/push/changes/0/old/target/hash"),
                    strict("/actor/display_name")),
            List.of("/push/changes/0/new/target/hash", "/push/changes/0/old/target/hash"));

    static final Sender GENERIC = new Sender("generic", "/webhooks/git/generic", List.of("application/json", "application/yaml",
            "application/x-yaml", "text/yaml"),
            WebhookPayloads.utf8(WebhookPayloads.generic("7ed6c0d8a3f2f2b4d9a0c6d7e8f9a0b1c2d3e4f5")),
            Map.of(), new PathSecret(GENERIC_SECRET),
            List.of(strict("/type"), new Field("/git", NOT_AN_OBJECT), strict("/git/uri"), strict("/git/ref"), strict("/git/commit"),
                    strict("/git/author/name"), strict("/git/message")),
            List.of("/git/commit"));

    static final Sender DISTRIBUTION = new Sender("distribution", "/webhooks/registry/distribution",
            List.of("application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json",
                    "application/json"),
            WebhookPayloads.bytes("distribution/push-manifest-tagged.json"), Map.of(),
            new Token("Authorization", "Bearer ", DISTRIBUTION_TOKEN),
            List.of(new Field("/events", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT, Kind.NULL)),
                    new Field("/events/0", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/events/0/id", NOT_A_VALUE), new Field("/events/0/action", NOT_A_VALUE),
                    new Field("/events/0/target", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/events/0/target/repository", NOT_A_VALUE), new Field("/events/0/target/digest", NOT_A_VALUE)),
            // an invalid image name is left out (a 400 would have the registry resend the envelope forever), so no field
            // of an otherwise valid envelope is checked by refusing it
            List.of());

    static final String DIGEST = "sha256:" + "a".repeat(64);

    static final Sender DOCKERHUB = new Sender("dockerhub", "/webhooks/registry/dockerhub", List.of("application/json"),
            WebhookPayloads.bytes("docker/docker_hub_build_notice.json"), Map.of(), new Unsigned(),
            List.of(new Field("/repository", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/repository/repo_name", NOT_A_VALUE),
                    new Field("/push_data", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/push_data/tag", NOT_A_VALUE),
                    new Field("/push_data/pushed_at", EnumSet.of(Kind.BOOLEAN, Kind.OBJECT, Kind.ARRAY, Kind.NULL))),
            List.of("/push_data/tag", "/repository/repo_name"));

    static final Sender HARBOR = new Sender("harbor", "/webhooks/registry/harbor", List.of("application/json", "application/cloudevents+json"),
            WebhookPayloads.utf8(WebhookPayloads.harborPush(1_700_000_000L, DIGEST)),
            Map.of(), new Token("Authorization", "Bearer ", HARBOR_TOKEN),
            List.of(new Field("/type", NOT_A_VALUE),
                    new Field("/event_data", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/event_data/repository", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/event_data/resources", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT, Kind.NULL)),
                    new Field("/event_data/resources/0", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/event_data/resources/0/digest", NOT_A_VALUE),
                    new Field("/event_data/resources/0/resource_url", NOT_A_VALUE)),
            List.of("/event_data/resources/0/digest"));

    static final Sender QUAY = new Sender("quay", "/webhooks/registry/quay", List.of("application/json"),
            WebhookPayloads.utf8(WebhookPayloads.quayPush("mynamespace/repository", "v1", "latest")),
            Map.of(), new Unsigned(),
            List.of(new Field("/docker_url", NOT_A_VALUE),
                    new Field("/updated_tags", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT, Kind.NULL)),
                    new Field("/updated_tags/0", EnumSet.of(Kind.NUMBER, Kind.BOOLEAN, Kind.OBJECT, Kind.ARRAY, Kind.NULL))),
            List.of("/docker_url", "/updated_tags/0"));

    static final Sender GHCR = new Sender("ghcr", "/webhooks/registry/ghcr", List.of("application/json"),
            WebhookPayloads.utf8(WebhookPayloads.ghcrPublished(DIGEST)),
            headers("X-GitHub-Event", "package", "X-GitHub-Hook-ID", "424242", "X-GitHub-Delivery", "9a7e7c1e-0b4f-11ef-8a3b-6e1f2b3c4d5e"),
            new Hmac(GITHUB_SECRET, List.of("X-Hub-Signature-256"), List.of("sha256=")),
            List.of(new Field("/action", NOT_A_VALUE),
                    new Field("/package", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/package/name", NOT_A_VALUE)),
            // a blank digest is no digest: the version's name is taken instead, so the digest is no checked field
            List.of("/package/name"));

    static final Sender GHCR_REGISTRY_PACKAGE = new Sender("ghcr-registry_package", "/webhooks/registry/ghcr", List.of("application/json"),
            WebhookPayloads.bytes("github/registry_package-published.json"),
            headers("X-GitHub-Event", "registry_package", "X-GitHub-Hook-ID", "424242", "X-GitHub-Delivery", "5d1f0b9a-0b4f-11ef-8a3b-6e1f2b3c4d5e"),
            new Hmac(GITHUB_SECRET, List.of("X-Hub-Signature-256"), List.of("sha256=")),
            List.of(new Field("/action", NOT_A_VALUE),
                    new Field("/registry_package", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/registry_package/name", NOT_A_VALUE)),
            List.of("/registry_package/name"));

    static final Sender ACR = new Sender("acr", "/webhooks/registry/acr", List.of("application/json"),
            WebhookPayloads.bytes("acr/push.json"), Map.of(), new Token("Authorization", "Bearer ", ACR_TOKEN),
            List.of(new Field("/action", NOT_A_VALUE),
                    new Field("/target", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/target/repository", NOT_A_VALUE), new Field("/target/digest", NOT_A_VALUE),
                    new Field("/request/host", NOT_A_VALUE)),
            List.of("/target/repository", "/target/digest", "/target/tag", "/request/host"));

    static final Sender NEXUS = new Sender("nexus", "/webhooks/registry/nexus", List.of("application/json"),
            WebhookPayloads.bytes("nexus/component-docker.json"),
            headers("X-Nexus-Webhook-Id", "rm:repository:component", "X-Nexus-Webhook-Delivery", "7f4a6dde-5c68-4999-bcc0-a62f3fb8ae48"),
            new Hmac("HmacSHA1", NEXUS_SECRET, List.of("X-Nexus-Webhook-Signature"), List.of("")),
            List.of(new Field("/repositoryName", NOT_A_VALUE), new Field("/action", NOT_A_VALUE),
                    new Field("/component", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/component/format", NOT_A_VALUE), new Field("/component/name", NOT_A_VALUE),
                    new Field("/component/version", NOT_A_VALUE)),
            // a valid name and tag the (empty) registry does not have is refused as well, as a tag it cannot resolve
            List.of("/component/name", "/component/version"));

    static final Sender ARTIFACTORY = new Sender("artifactory", "/webhooks/registry/artifactory", List.of("application/json"),
            WebhookPayloads.bytes("artifactory/docker-pushed.json"), Map.of(), new Token("X-JFrog-Event-Auth", "", ARTIFACTORY_SECRET),
            List.of(new Field("/domain", NOT_A_VALUE), new Field("/event_type", NOT_A_VALUE),
                    new Field("/data", EnumSet.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL)),
                    new Field("/data/repo_key", NOT_A_VALUE), new Field("/data/image_name", NOT_A_VALUE), new Field("/data/tag", NOT_A_VALUE),
                    new Field("/data/sha256", NOT_A_VALUE)),
            List.of("/data/repo_key", "/data/image_name", "/data/tag", "/data/sha256"));

    static final List<Sender> GIT = List.of(GITHUB, GITLAB, GITEA, BITBUCKET, GENERIC);
    static final List<Sender> REGISTRY = List.of(DISTRIBUTION, DOCKERHUB, HARBOR, QUAY, GHCR, GHCR_REGISTRY_PACKAGE, ACR, NEXUS, ARTIFACTORY);
    static final List<Sender> ALL = List.of(GITHUB, GITLAB, GITEA, BITBUCKET, GENERIC, DISTRIBUTION, DOCKERHUB, HARBOR, QUAY, GHCR,
            GHCR_REGISTRY_PACKAGE, ACR, NEXUS, ARTIFACTORY);

    /** Headers a sender must send besides its proof; without any one of them a signed delivery is malformed. */
    static List<String> requiredHeaders(Sender sender) {
        return switch (sender.name()) {
            case "github", "ghcr", "ghcr-registry_package" -> List.of("X-GitHub-Event", "X-GitHub-Delivery");
            case "nexus" -> List.of("X-Nexus-Webhook-Id");
            case "gitlab" -> List.of("X-Gitlab-Event");
            case "gitea" -> List.of("X-Gitea-Event");
            case "bitbucket" -> List.of("X-Event-Key");
            default -> List.of();
        };
    }

    private static Field strict(String pointer) {
        return new Field(pointer, NOT_A_STRING);
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Map.copyOf(map);
    }

    private WebhookSenders() {
    }
}
