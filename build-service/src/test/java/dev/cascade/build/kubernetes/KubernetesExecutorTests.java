package dev.cascade.build.kubernetes;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.kube.Admission;
import dev.cascade.testsupport.kube.LocalCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Builds as Kubernetes Jobs, through the real path: build-service creates each build's Job on the API server; the
 * local cluster's kubelet runs the Job's real containers' command lines ({@code cascade-build-step fetch}, then
 * {@code cascade-build-step build}) with the machine's git and buildah, which fetch real commits and push real images
 * to the real registry; build-service follows the pod's log and reads the pushed digest from the termination message.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
@WithTestResource(value = KubernetesBuildsResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class KubernetesExecutorTests {

    static final String NS = KubernetesBuildsResource.NAMESPACE;

    static GitRepos git;
    static String reg;

    @BeforeAll
    static void repositories() throws Exception {
        git = new GitRepos(KubernetesBuildsResource.work().resolve("git"));
        reg = KubernetesBuildsResource.registry().host();
    }

    static LocalCluster cluster() {
        return KubernetesBuildsResource.cluster();
    }

    static KubernetesClient kube() {
        return cluster().client();
    }

    static void create(String name, String repo, String output, String extra) {
        given().contentType("application/json").body("""
                        {"name":"%s","source":{"repository":"%s","branch":"main"},"output":"%s"%s}"""
                        .formatted(name, repo, output, extra == null ? "" : "," + extra))
                .post("/api/build-configs").then().statusCode(201);
    }

    /** A repository with one commit of this Dockerfile, and the config {@code name} building it to {@code <registry>/k/<name less "k-">:1}. */
    static void dockerfileConfig(String name, String dockerfile, String extra) throws Exception {
        String repo = git.create(name);
        git.commit(name, Map.of("Dockerfile", dockerfile), name);
        create(name, repo, reg + "/k/" + name.substring("k-".length()) + ":1", extra);
    }

    static String build(String config, String body) {
        return given().contentType("application/json").body(body).post("/api/build-configs/" + config + "/builds").then()
                .statusCode(202).extract().path("id");
    }

    static JsonPath awaitEnded(String id) {
        return await().atMost(Duration.ofSeconds(180)).until(() -> given().get("/api/builds/" + id).then().statusCode(200).extract().jsonPath(),
                b -> List.of("succeeded", "failed", "cancelled").contains(b.getString("status")));
    }

    static Optional<Job> job(String buildId) {
        return Optional.ofNullable(kube().batch().v1().jobs().inNamespace(NS).withName("cascade-build-" + buildId).get());
    }

    static Optional<Pod> pod(String buildId) {
        return kube().pods().inNamespace(NS).withLabel("cascade.dev/build", buildId).list().getItems().stream().findFirst();
    }

    static boolean buildContainerRunning(String buildId) {
        return pod(buildId).map(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream().anyMatch(s -> s.getName().equals("build") && s.getState().getRunning() != null))
                .orElse(false);
    }

    /** Whether a process on this machine has {@code text} in its command line (read from /proc: a RUN step's process is chrooted). */
    static boolean processRuns(String text) throws IOException {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').contains(text);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    @Test
    void aPushIsBuiltInAJobAtExactlyItsCommitWithTheBaseDigestRecorded() throws Exception {
        LocalRegistry registry = KubernetesBuildsResource.registry();
        String baseRepo = git.create("k-base");
        git.commit("k-base", Map.of("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n", "hello.txt", "v1"), "base v1");
        create("k-base", baseRepo, reg + "/k/base:1", "\"timeoutSeconds\":600");
        JsonPath base = awaitEnded(build("k-base", "{}"));
        assertThat(base.getString("status")).isEqualTo("succeeded");
        String baseDigest = base.getString("digest");
        assertThat(baseDigest).isEqualTo(registry.digest("k/base", "1"));

        String appRepo = git.create("k-app");
        String first = git.commit("k-app", Map.of("Dockerfile", "FROM " + reg + "/k/base:1\nCOPY app.txt /app.txt\n", "app.txt", "one"), "one");
        String head = git.commit("k-app", Map.of("app.txt", "two"), "two");
        create("k-app", appRepo, reg + "/k/app:1", "\"timeoutSeconds\":600");

        // the older commit, not the branch's head, is what gets built
        String id = build("k-app", "{\"commit\":\"" + first + "\"}");
        JsonPath app = awaitEnded(id);
        assertThat(app.getString("status")).isEqualTo("succeeded");
        assertThat(app.getString("commit")).isEqualTo(first).isNotEqualTo(head);
        assertThat(app.getString("digest")).isEqualTo(registry.digest("k/app", "1"));
        assertThat(app.getMap("baseDigests")).containsEntry(reg + "/k/base:1", baseDigest);
        assertThat(registry.files("k/app", "1")).containsEntry("app.txt", "one");
        assertThat(registry.labels("k/app", "1"))
                .containsEntry("org.opencontainers.image.revision", first)
                .containsEntry("org.opencontainers.image.source", appRepo)
                .containsEntry("org.opencontainers.image.base.name", reg + "/k/base:1")
                .containsEntry("org.opencontainers.image.base.digest", baseDigest);

        // the Job as build-service made it
        Job job = job(id).orElseThrow();
        assertThat(job.getMetadata().getLabels()).containsEntry("cascade.dev/build", id).containsEntry("cascade.dev/config", "k-app")
                .containsEntry("cascade.dev/pipeline", app.getString("pipelineId"))
                .containsEntry("app.kubernetes.io/managed-by", "cascade-build-service");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        Container fetch = job.getSpec().getTemplate().getSpec().getInitContainers().get(0);
        Container buildah = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(fetch.getCommand()).containsExactly("cascade-build-step", "fetch");
        assertThat(buildah.getCommand()).containsExactly("cascade-build-step", "build");
        assertThat(List.of(fetch.getImage(), buildah.getImage())).containsOnly(KubernetesBuildsResource.BUILDER);
        assertThat(fetch.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(fetch.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(buildah.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(buildah.getSecurityContext().getCapabilities().getAdd())
                .isSubsetOf("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"); // Pod Security Standard "baseline"

        // the pod's log is the build's log: the checkout of that commit, then buildah's build and push
        String log = given().get("/api/builds/" + id + "/log").then().statusCode(200).extract().asString();
        assertThat(log).contains("build Job " + NS + "/cascade-build-" + id + " created")
                .contains(first).contains("COPY app.txt /app.txt").contains("Writing manifest");
    }

    @Test
    void aFollowedLogShowsTheBuildAsItRunsAndEndsWithIt() throws Exception {
        dockerfileConfig("k-follow", "FROM " + reg + "/tools/busybox:1\nRUN echo first-line && sleep 3 && echo second-line\n", null);
        String id = build("k-follow", "{}");
        String log = given().queryParam("follow", true).get("/api/builds/" + id + "/log").then().statusCode(200).extract().asString();
        assertThat(log).contains("first-line").contains("second-line");
        assertThat(log.indexOf("first-line")).isLessThan(log.indexOf("second-line"));
        assertThat(awaitEnded(id).getString("status")).isEqualTo("succeeded");
    }

    @Test
    void aFailingBuildFailsWithTheReasonItsContainerReportedAndKeepsItsLog() throws Exception {
        dockerfileConfig("k-fails", "FROM " + reg + "/tools/busybox:1\nRUN echo about-to-fail && exit 3\n", null);
        String id = build("k-fails", "{}");
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("reason")).isEqualTo("buildah bud failed (exit 3)");
        assertThat(given().get("/api/builds/" + id + "/log").then().extract().asString()).contains("about-to-fail")
                .contains("build step failed: buildah bud failed (exit 3)");
        assertThat(job(id).orElseThrow().getStatus().getConditions()).anyMatch(c -> c.getType().equals("Failed"));
    }

    @Test
    void aBadPathFailsInTheFetchContainerBeforeAnythingIsBuilt() throws Exception {
        String repo = git.create("k-nofile");
        String withoutDockerfile = git.commit("k-nofile", Map.of("README", "no Dockerfile here"), "readme");
        git.commit("k-nofile", Map.of("Dockerfile", "FROM scratch\nCOPY README /\n"), "dockerfile");
        create("k-nofile", repo, reg + "/k/nofile:1", null);
        // the config is fine at the branch's head; the commit built has no Dockerfile
        String id = build("k-nofile", "{\"commit\":\"" + withoutDockerfile + "\"}");
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("reason")).contains("source.dockerfile does not exist in the repository");
        Pod pod = pod(id).orElseThrow();
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated()).isNull();
    }

    @Test
    void cancellingDeletesTheJobAndStopsItsProcesses() throws Exception {
        dockerfileConfig("k-cancel", "FROM " + reg + "/tools/busybox:1\nRUN echo sleeping && sleep 211\n", null);
        String id = build("k-cancel", "{}");
        // the RUN step's process runs (the log names the step before it starts)
        await().atMost(Duration.ofSeconds(90)).until(() -> processRuns("sleep 211"));

        given().post("/api/builds/" + id + "/cancel").then().statusCode(202);
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("cancelled");
        assertThat(b.getString("reason")).isEqualTo("cancelled by request");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(job(id)).isEmpty();
            assertThat(pod(id)).isEmpty();
            assertThat(processRuns("sleep 211")).isFalse();
        });
    }

    @Test
    void aJobMarkedAndDeletedByAnotherInstanceEndsItsBuildAsCancelled() throws Exception {
        dockerfileConfig("k-cancel-elsewhere", "FROM " + reg + "/tools/busybox:1\nRUN echo waiting && sleep 229\n", null);
        String id = build("k-cancel-elsewhere", "{}");
        await().atMost(Duration.ofSeconds(90)).until(() -> buildContainerRunning(id));
        // what the instance a cancel request reached does to a build another instance runs
        var other = kube().batch().v1().jobs().inNamespace(NS).withName("cascade-build-" + id);
        other.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"cascade.dev/cancelled\":\"now\"}}}");
        other.delete();
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(30)).until(() -> !processRuns("sleep 229"));
    }

    @Test
    void theConfigsTimeoutIsTheJobsDeadline() throws Exception {
        dockerfileConfig("k-slow", "FROM " + reg + "/tools/busybox:1\nRUN echo waiting && sleep 223\n", "\"timeoutSeconds\":15");
        String id = build("k-slow", "{}");
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("reason")).isEqualTo("timed out after 15 s");
        assertThat(job(id).orElseThrow().getStatus().getConditions()).anyMatch(c -> "DeadlineExceeded".equals(c.getReason()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !processRuns("sleep 223"));
    }

    @Test
    void aJobDeletedFromOutsideFailsItsBuildWithThatReason() throws Exception {
        dockerfileConfig("k-deleted", "FROM " + reg + "/tools/busybox:1\nRUN echo running && sleep 227\n", null);
        String id = build("k-deleted", "{}");
        await().atMost(Duration.ofSeconds(90)).until(() -> buildContainerRunning(id));
        kube().batch().v1().jobs().inNamespace(NS).withName("cascade-build-" + id).delete();
        JsonPath b = awaitEnded(id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("reason")).isEqualTo("the build's Job " + NS + "/cascade-build-" + id + " was deleted outside Cascade");
        await().atMost(Duration.ofSeconds(30)).until(() -> !processRuns("sleep 227"));
    }

    @Test
    void aJobTheApiServerRefusesFailsItsBuildWithTheApiServersMessage() throws Exception {
        dockerfileConfig("k-quota", "FROM scratch\nCOPY Dockerfile /\n", null);
        try (Admission.Refusal quota = cluster().refuse(Job.class, j -> "k-quota".equals(j.getMetadata().getLabels().get("cascade.dev/config")), 403,
                "exceeded quota: builds, requested: count/jobs.batch=1, used: count/jobs.batch=4, limited: count/jobs.batch=4")) {
            String id = build("k-quota", "{}");
            JsonPath b = awaitEnded(id);
            assertThat(b.getString("status")).isEqualTo("failed");
            assertThat(b.getString("reason")).isEqualTo("the Kubernetes API server refused the build's Job: jobs.batch \"cascade-build-" + id
                    + "\" is forbidden: exceeded quota: builds, requested: count/jobs.batch=1, used: count/jobs.batch=4, limited: count/jobs.batch=4");
            assertThat(job(id)).isEmpty();
        }
    }

    @Test
    void whileTheApiServerCannotBeReachedBuildsStayQueuedAndReadinessSaysWhy() throws Exception {
        dockerfileConfig("k-outage", "FROM scratch\nCOPY Dockerfile /\n", null);
        cluster().stopApiServer();
        String id;
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("the Kubernetes API server cannot be reached")));
            id = build("k-outage", "{}");
            // several dispatcher rounds go by: nothing starts
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).untilAsserted(() ->
                    given().get("/api/builds/" + id).then().body("status", equalTo("queued")));
        } finally {
            cluster().startApiServer();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        assertThat(awaitEnded(id).getString("status")).isEqualTo("succeeded");
        assertThat(job(id)).isPresent();
    }
}
