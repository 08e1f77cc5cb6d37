package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.git.GitRepository;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.TestTokens;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Against the running system: each service's REST API lets in only bearer tokens with the right role, webhooks
 * only their sender's signature or token (and a registry's token buys nothing the registry does not hold), and no secret
 * ever shows up in a response or a service's log.
 */
@ExtendWith(RunningSystem.class)
class SecurityTests {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static CascadeSystem system;
    /** Every response body read here, to be searched for secrets at the end. */
    static final List<String> RESPONSES = new ArrayList<>();

    record Endpoint(String service, String read, String actMethod, String actPath, String actBody) {
    }

    @BeforeAll
    static void system() throws Exception {
        system = RunningSystem.get();
    }

    static HttpResponse<String> send(String method, String url, String authorization, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        synchronized (RESPONSES) {
            RESPONSES.add(response.headers().map() + "\n" + response.body());
        }
        return response;
    }

    List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(system.trigger().url(), "/api/pipelines", "POST", "/api/webhook-secrets",
                        "{\"sender\":\"gitlab\",\"subject\":\"*\",\"secret\":\"refused-secret-0123456789\"}"),
                new Endpoint(system.build().url(), "/api/build-configs", "POST", "/api/build-configs",
                        "{\"name\":\"refused\",\"source\":{\"repository\":\"https://git.example/refused.git\"},\"output\":\"example.org/refused:1\"}"),
                new Endpoint(system.deploy().url(), "/api/rollouts", "PUT", "/api/namespaces/" + RunningSystem.NAMESPACE + "/approval-gate", null));
    }

    @Test
    void everyServiceAnswers401WithoutAValidTokenAnd403ToAViewerThatActs() throws Exception {
        for (Endpoint e : endpoints()) {
            for (String wrong : new String[] {null, "Bearer wrong-token-0123456789", "Basic " + TestTokens.OPERATOR}) {
                assertThat(send("GET", e.service() + e.read(), wrong, null).statusCode()).as("GET %s%s with %s", e.service(), e.read(), wrong)
                        .isEqualTo(401);
                assertThat(send(e.actMethod(), e.service() + e.actPath(), wrong, e.actBody()).statusCode())
                        .as("%s %s%s with %s", e.actMethod(), e.service(), e.actPath(), wrong).isEqualTo(401);
            }
            assertThat(send("GET", e.service() + e.read(), "Bearer " + TestTokens.VIEWER, null).statusCode()).isEqualTo(200);
            assertThat(send(e.actMethod(), e.service() + e.actPath(), "Bearer " + TestTokens.VIEWER, e.actBody()).statusCode())
                    .as("%s %s%s as a viewer", e.actMethod(), e.service(), e.actPath()).isEqualTo(403);
        }
        // nothing the refused requests asked for was done
        assertThat(send("GET", system.build().url() + "/api/build-configs/refused", "Bearer " + TestTokens.VIEWER, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", system.trigger().url() + "/api/webhook-secrets", "Bearer " + TestTokens.VIEWER, null).body()).doesNotContain("refused");
    }

    @Test
    void noSecretAppearsInAnyResponseOrLog() throws Exception {
        String github = "github-secret-" + UUID.randomUUID();
        String gitlab = "gitlab-secret-" + UUID.randomUUID();
        String operator = "Bearer " + TestTokens.OPERATOR;
        String trigger = system.trigger().url();
        assertThat(send("POST", trigger + "/api/webhook-secrets", operator,
                "{\"sender\":\"github\",\"subject\":\"https://github.com/acme/secrets-check\",\"secret\":\"" + github + "\"}").statusCode()).isEqualTo(201);
        assertThat(send("POST", trigger + "/api/webhook-secrets", operator,
                "{\"sender\":\"gitlab\",\"subject\":\"https://gitlab.com/acme/secrets-check\",\"secret\":\"" + gitlab + "\"}").statusCode()).isEqualTo(201);
        send("GET", trigger + "/api/webhook-secrets", operator, null);

        // signed and unsigned deliveries, right and wrong tokens, a secret in a generic webhook's URL
        String githubPush = """
                {"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000",
                 "after":"1111111111111111111111111111111111111111",
                 "repository":{"full_name":"acme/secrets-check","html_url":"https://github.com/acme/secrets-check",
                   "clone_url":"https://github.com/acme/secrets-check.git","default_branch":"main"},
                 "head_commit":{"id":"1111111111111111111111111111111111111111","message":"m"},"commits":[]}""";
        HttpResponse<String> signed = send("POST", trigger + "/webhooks/git/github", null, githubPush,
                "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", "sha256=" + hmac(github, githubPush));
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(202);
        assertThat(send("POST", trigger + "/webhooks/git/github", null, githubPush,
                "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", "sha256=" + hmac(github + "x", githubPush)).statusCode()).isEqualTo(401);
        String gitlabPush = """
                {"object_kind":"push","ref":"refs/heads/main","before":"0000000000000000000000000000000000000000",
                 "after":"2222222222222222222222222222222222222222","checkout_sha":"2222222222222222222222222222222222222222",
                 "project":{"path_with_namespace":"acme/secrets-check","web_url":"https://gitlab.com/acme/secrets-check",
                   "git_http_url":"https://gitlab.com/acme/secrets-check.git","default_branch":"main"},"commits":[]}""";
        assertThat(send("POST", trigger + "/webhooks/git/gitlab", null, gitlabPush, "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", gitlab, "Idempotency-Key", UUID.randomUUID().toString()).statusCode()).isIn(202, 200);
        // a body too broken to name its repository cannot be matched to the repository's secret: refused either way
        assertThat(send("POST", trigger + "/webhooks/git/gitlab", null, "{\"truncated\":", "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", gitlab).statusCode()).isIn(400, 401);
        assertThat(send("POST", trigger + "/webhooks/git/generic/" + gitlab, null, "{not json").statusCode()).isBetween(400, 499);
        for (String registryToken : new String[] {system.secrets().get(1), "Bearer " + system.secrets().get(1)}) {
            assertThat(send("POST", trigger + "/webhooks/registry/distribution", registryToken, "{\"events\":[{\"truncated\"").statusCode())
                    .isBetween(400, 499);
        }
        send("GET", trigger + "/api/deliveries?limit=50", operator, null);
        send("GET", system.build().url() + "/api/builds?limit=50", operator, null);

        List<String> secrets = new ArrayList<>(system.secrets());
        secrets.add(github);
        secrets.add(gitlab);
        secrets.add(TestTokens.OPERATOR);
        secrets.add(TestTokens.VIEWER);
        assertThat(secrets).allSatisfy(s -> assertThat(s).isNotBlank().hasSizeGreaterThanOrEqualTo(16));

        List<Path> logs;
        try (Stream<Path> files = Files.walk(system.logs())) {
            logs = files.filter(Files::isRegularFile).toList();
        }
        assertThat(logs).extracting(p -> p.getFileName().toString())
                .contains("trigger-service.log", "build-service.log", "deploy-service.log");
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertThat(text).as("the service logs were written").isNotEmpty();
            for (String secret : secrets) {
                assertThat(text).as("%s contains a secret", log).doesNotContain(secret);
            }
        }
        synchronized (RESPONSES) {
            for (String response : RESPONSES) {
                for (String secret : secrets) {
                    assertThat(response).as("a response contains a secret").doesNotContain(secret);
                }
            }
        }
    }

    @Test
    void aPushIsBuiltFromTheConfiguredRepositoryNeverFromTheUrlInItsPayload() throws Exception {
        GitRepos git = new GitRepos(system.work().resolve("git-security"));
        String configured = git.create("payload-url");
        String commit = git.commit("payload-url", Map.of("Dockerfile", "FROM scratch\nCOPY origin.txt /origin.txt\n",
                "origin.txt", "the configured repository"), "configured");
        // another repository where the payload's spelling of the URL (without .git) leads: the same identity, other files
        GitRepos elsewhere = new GitRepos(system.work().resolve("git-security-elsewhere"));
        elsewhere.create("payload-url");
        String elsewhereCommit = elsewhere.commit("payload-url", Map.of("Dockerfile", "FROM scratch\nCOPY origin.txt /origin.txt\n",
                "origin.txt", "the payload's URL"), "elsewhere");
        Path payloadPath = system.work().resolve("git-security/payload-url");
        Files.move(system.work().resolve("git-security-elsewhere/payload-url.git"), payloadPath);
        String payloadUrl = payloadPath.toUri().toString();
        String identity = GitRepository.parse(configured).canonicalUrl();
        assertThat(GitRepository.parse(payloadUrl).canonicalUrl()).isEqualTo(identity);

        String output = system.registry().host() + "/security/payload-url:1";
        String operator = "Bearer " + TestTokens.OPERATOR;
        assertThat(send("POST", system.build().url() + "/api/build-configs", operator,
                "{\"name\":\"payload-url\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(configured, output))
                .statusCode()).isEqualTo(201);
        String secret = "payload-url-secret-" + UUID.randomUUID();
        assertThat(send("POST", system.trigger().url() + "/api/webhook-secrets", operator,
                "{\"sender\":\"github\",\"subject\":\"%s\",\"secret\":\"%s\"}".formatted(identity, secret)).statusCode()).isEqualTo(201);

        // a signed push whose every URL names the other place, for each commit there is
        for (String after : List.of(commit, elsewhereCommit)) {
            String push = """
                    {"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"%s",
                     "repository":{"full_name":"security/payload-url","html_url":"%s","clone_url":"%s","url":"%s","default_branch":"main"},
                     "head_commit":{"id":"%s","message":"m"},"commits":[]}""".formatted(after, payloadUrl, payloadUrl, payloadUrl, after);
            HttpResponse<String> accepted = send("POST", system.trigger().url() + "/webhooks/git/github", null, push,
                    "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                    "X-Hub-Signature-256", "sha256=" + hmac(secret, push));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        }

        // both pushes select the config and both builds fetch from its repository: its commit builds, the other one is not there
        JsonPath builds = await().atMost(Duration.ofMinutes(3)).until(
                () -> JsonPath.from(send("GET", system.build().url() + "/api/builds?config=payload-url", operator, null).body()),
                b -> b.getList("status", String.class).size() == 2
                        && b.getList("status", String.class).stream().allMatch(s -> s.equals("succeeded") || s.equals("failed")));
        for (int i = 0; i < 2; i++) {
            String id = builds.getString("[" + i + "].id");
            String log = send("GET", system.build().url() + "/api/builds/" + id + "/log", operator, null).body();
            assertThat(log).as("build %s fetches from the configured repository", id).contains(configured).doesNotContain(payloadUrl);
        }
        Map<String, String> statusByCommit = Map.of(builds.getString("[0].commit"), builds.getString("[0].status"),
                builds.getString("[1].commit"), builds.getString("[1].status"));
        assertThat(statusByCommit).isEqualTo(Map.of(commit, "succeeded", elsewhereCommit, "failed"));
        assertThat(system.registry().files("security/payload-url", "1")).containsEntry("origin.txt", "the configured repository");
        assertThat(system.registry().labels("security/payload-url", "1")).containsEntry("org.opencontainers.image.source", configured)
                .containsEntry("org.opencontainers.image.revision", commit);
    }

    @Test
    void aRegistryNotificationWithAValidTokenForADigestTheRegistryNeverHadIsAcceptedRefusedAndBuildsNothing() throws Exception {
        // a config built on a base pushed from outside, so that a new digest of the base would rebuild it
        String reg = system.registry().host();
        String base = system.registry().push("security/forged-base", "1");
        String viewer = "Bearer " + TestTokens.VIEWER;
        String build = system.build().url();
        // the registry's own notification of that push has been taken in (and confirmed) first
        await().atMost(Duration.ofMinutes(1)).until(() -> base.equals(JsonPath.from(send("GET", build + "/api/images/" + reg
                + "/security/forged-base:1", viewer, null).body()).getString("digest")));
        GitRepos git = new GitRepos(system.work().resolve("git-forged"));
        String repo = git.create("forged-app");
        git.commit("forged-app", Map.of("Dockerfile", "FROM " + reg + "/security/forged-base:1\nCOPY a.txt /a.txt\n", "a.txt", "a"), "one");
        String operator = "Bearer " + TestTokens.OPERATOR;
        assertThat(send("POST", build + "/api/build-configs", operator,
                "{\"name\":\"forged-app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/security/forged-app:1\"}".formatted(repo, reg))
                .statusCode()).isEqualTo(201);
        String first = JsonPath.from(send("POST", build + "/api/build-configs/forged-app/builds", operator, "{}").body()).getString("id");
        await().atMost(Duration.ofMinutes(2)).until(() -> JsonPath.from(send("GET", build + "/api/builds/" + first, operator, null).body())
                .getString("status"), st -> List.of("succeeded", "failed", "cancelled").contains(st));
        assertThat(JsonPath.from(send("GET", build + "/api/builds/" + first, operator, null).body()).getString("status")).isEqualTo("succeeded");

        // the registry's notification, with the registry's valid token, naming a digest the registry never had
        String forged = "sha256:" + (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        ObjectNode envelope = (ObjectNode) new ObjectMapper().readTree(WebhookPayloads.bytes("distribution/push-manifest-tagged.json"));
        ObjectNode event = (ObjectNode) envelope.get("events").get(0);
        event.put("id", UUID.randomUUID().toString());
        ((ObjectNode) event.get("target")).put("digest", forged).put("repository", "security/forged-base").put("tag", "1")
                .put("url", "http://" + reg + "/v2/security/forged-base/manifests/" + forged);
        ((ObjectNode) event.get("request")).put("host", reg);
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create(system.trigger().url() + "/webhooks/registry/distribution"))
                .header("Content-Type", WebhookDelivery.DISTRIBUTION_EVENTS_V1)
                .header("Authorization", "Bearer " + system.secrets().get(1))
                .POST(HttpRequest.BodyPublishers.ofString(envelope.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String pipeline = JsonPath.from(accepted.body()).getString("pipelineId");
        assertThat(pipeline).isNotBlank();

        // build-service asked the registry and refused it, with the reason; nothing was built or published for it
        Map<String, Object> refusal = await().atMost(Duration.ofMinutes(1)).until(() -> {
            List<Map<String, Object>> refused = JsonPath.from(send("GET", build + "/api/image-reports/refused", viewer, null).body()).getList("$");
            return refused.stream().filter(r -> forged.equals(r.get("reportedDigest"))).findFirst().orElse(null);
        }, java.util.Objects::nonNull);
        assertThat(refusal).containsEntry("eventId", pipeline).containsEntry("image", reg + "/security/forged-base:1")
                .containsEntry("currentDigest", base).containsEntry("sender", "distribution");
        assertThat((String) refusal.get("reason")).contains("not in the registry").contains("does not hold " + forged);
        assertThat(JsonPath.from(send("GET", build + "/api/builds?pipeline=" + pipeline, viewer, null).body()).getList("$")).isEmpty();
        assertThat(JsonPath.from(send("GET", build + "/api/builds?config=forged-app", viewer, null).body()).getList("$")).hasSize(1);
        assertThat(JsonPath.from(send("GET", build + "/api/images/" + reg + "/security/forged-base:1", viewer, null).body())
                .getString("digest")).isEqualTo(base);
    }

    static String hmac(String secret, String body) {
        return WebhookDelivery.hmacSha256Hex(secret, body.getBytes(StandardCharsets.UTF_8));
    }
}
