package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.testsupport.CascadeSystem;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The diamond of {@link CascadeEndToEndTests} once more, on a system whose build-service runs every build as a
 * Kubernetes Job ({@code CASCADE_BUILD_EXECUTOR=kubernetes}): the local cluster's kubelet runs each Job's containers'
 * real command lines, which fetch the commits and build and push the images. And build-service killed while a Job
 * runs: the Job goes on, and build-service, back, follows that Job rather than starting another.
 */
class KubernetesCascadeTests extends CascadeEndToEndTests {

    static final String WORKLOADS = "shop-jobs";
    static final String BUILDS = "cascade-builds";

    private static CascadeSystem jobs;

    @Override
    CascadeSystem system() throws Exception {
        return jobsSystem();
    }

    @Override
    String namespace() {
        return WORKLOADS;
    }

    static synchronized CascadeSystem jobsSystem() throws Exception {
        if (jobs == null) {
            jobs = CascadeSystem.start(Path.of("..").toAbsolutePath().normalize(), WORKLOADS, Map.of(
                    "CASCADE_BUILD_EXECUTOR", "kubernetes",
                    "CASCADE_BUILD_NAMESPACE", BUILDS,
                    "CASCADE_BUILD_BUILDER_IMAGE", "registry.example/cascade/builder@sha256:" + "c".repeat(64),
                    // a killed instance's builds are taken over soon
                    "CASCADE_BUILD_LEASE", "6s"));
        }
        return jobs;
    }

    @AfterAll
    static void stopJobsSystem() throws Exception {
        if (jobs == null) {
            return;
        }
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs", "jobs"));
        try (var files = Files.list(jobs.logs())) {
            for (Path f : files.toList()) {
                Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        jobs.close();
        jobs = null;
    }

    List<Job> buildJobs(String buildId) {
        return kubeClient.batch().v1().jobs().inNamespace(BUILDS).withLabel("cascade.dev/build", buildId).list().getItems();
    }

    List<Pod> buildPods(String buildId) {
        return kubeClient.pods().inNamespace(BUILDS).withLabel("cascade.dev/build", buildId).list().getItems();
    }

    @Test
    void buildServiceKilledWhileItsJobRunsFollowsThatJobWhenBackAndRecordsTheBuildOnce() throws Exception {
        String repo = git.create("k-restart");
        buildah.pushBusybox(reg + "/e2e/busybox:1");
        git.commit("k-restart", Map.of("Dockerfile", "FROM " + reg + "/e2e/busybox:1\nRUN echo started && sleep 20 && echo finished\n"), "slow");
        at(build).contentType("application/json")
                .body("{\"name\":\"k-restart\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(repo, image("k-restart")))
                .post("/api/build-configs").then().statusCode(201);
        String id = at(build).contentType("application/json").body("{}").post("/api/build-configs/k-restart/builds")
                .then().statusCode(202).extract().path("id");

        // the build container runs; build-service dies
        await().atMost(Duration.ofMinutes(2)).until(() -> buildPods(id).stream().anyMatch(p -> p.getStatus() != null
                && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().stream().anyMatch(s -> s.getState().getRunning() != null)));
        build.kill();
        Job before = buildJobs(id).get(0);

        build.restart();
        build.awaitReady(Duration.ofMinutes(3));
        JsonPath ended = await().atMost(Duration.ofMinutes(3)).until(() -> at(build).get("/api/builds/" + id).then().extract().jsonPath(),
                b -> List.of("succeeded", "failed", "cancelled").contains(b.getString("status")));
        assertThat(ended.getString("status")).as(() -> at(build).get("/api/builds/" + id + "/log").asString()).isEqualTo("succeeded");
        assertThat(ended.getInt("attempt")).isEqualTo(2);
        assertThat(ended.getString("digest")).isEqualTo(registry.digest("e2e/k-restart", "1"));

        // one Job, the same one, with one pod: nothing ran twice
        assertThat(buildJobs(id)).singleElement().satisfies(j -> assertThat(j.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid()));
        assertThat(buildPods(id)).hasSize(1);
        String log = at(build).get("/api/builds/" + id + "/log").asString();
        assertThat(log).contains("was already running: following it, its log from the start").contains("finished");
        // and recorded once: one build of the config, one image pushed
        assertThat(at(build).queryParam("config", "k-restart").get("/api/builds").then().extract().jsonPath().getList("$")).hasSize(1);
        awaitDeployServiceSaw(image("k-restart"), ended.getString("digest"));
        assertThat(at(deploy).queryParam("image", image("k-restart")).get("/api/image-pushes").then().extract().jsonPath()
                .getList("digest", String.class)).containsExactly(ended.getString("digest"));
    }
}
