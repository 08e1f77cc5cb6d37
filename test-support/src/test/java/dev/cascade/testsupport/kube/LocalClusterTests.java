package dev.cascade.testsupport.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs on the local cluster run their containers' real command lines and end as a real cluster ends them. */
class LocalClusterTests {

    static final Pattern TIMESTAMPED = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?Z) (.*)$");

    @TempDir
    static Path work;
    static LocalCluster cluster;
    static KubernetesClient client;
    String ns;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(work);
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        ns = "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static PodSpecBuilder shell(String name, String script) {
        return new PodSpecBuilder().withRestartPolicy("Never")
                .addNewContainer().withName(name).withImage("busybox").withCommand("sh", "-c", script).endContainer();
    }

    Job job(String name, PodSpecBuilder spec, int backoffLimit) {
        Job job = new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(backoffLimit).withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withSpec(spec.build()).endTemplate().endSpec().build();
        return client.batch().v1().jobs().inNamespace(ns).resource(job).create();
    }

    Job awaitFinished(String name, String type) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> client.batch().v1().jobs().inNamespace(ns).withName(name).get(),
                j -> j.getStatus() != null && j.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals(type)));
    }

    Pod onlyPod(String job) {
        List<Pod> pods = client.pods().inNamespace(ns).withLabel("job-name", job).list().getItems();
        assertThat(pods).hasSize(1);
        return pods.get(0);
    }

    static ContainerStatus status(List<ContainerStatus> statuses, String name) {
        return statuses.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aJobRunsItsInitContainerThenItsContainerWithVolumesAndReportsItsTerminationMessage() {
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("creds").endMetadata()
                .addToStringData("token", "s3cret").build()).create();
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .addToData("greeting", "hello").build()).create();
        PodSpecBuilder spec = new PodSpecBuilder().withRestartPolicy("Never")
                .addNewVolume().withName("shared").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("creds").withNewSecret().withSecretName("creds").endSecret().endVolume()
                .addNewInitContainer().withName("prepare").withImage("busybox")
                .withCommand("sh", "-c", "echo preparing; echo prepared > /shared/state")
                .addNewVolumeMount().withName("shared").withMountPath("/shared").endVolumeMount().endInitContainer()
                .addNewContainer().withName("main").withImage("busybox").withWorkingDir("/shared")
                .withCommand("sh", "-c").withArgs("cat state; sleep 1.2; echo \"$(GREETING) $POD from $(cat /etc/creds/token)\"; "
                        + "echo \"done: $(cat /shared/state)\" > /dev/termination-log")
                .addNewEnv().withName("POD").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("GREETING").withNewValueFrom().withNewConfigMapKeyRef().withName("settings").withKey("greeting")
                .endConfigMapKeyRef().endValueFrom().endEnv()
                .addNewVolumeMount().withName("shared").withMountPath("/shared").endVolumeMount()
                .addNewVolumeMount().withName("creds").withMountPath("/etc/creds").endVolumeMount().endContainer();
        job("build-1", spec, 0);

        Job done = awaitFinished("build-1", "Complete");
        assertThat(done.getStatus().getConditions()).extracting(JobCondition::getType).containsExactly("SuccessCriteriaMet", "Complete");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(done.getStatus().getActive()).isZero();
        assertThat(done.getStatus().getStartTime()).isNotNull();
        assertThat(done.getStatus().getCompletionTime()).isNotNull();

        Pod pod = onlyPod("build-1");
        assertThat(pod.getMetadata().getName()).matches("build-1-[a-z0-9]{5}");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "build-1").containsEntry("batch.kubernetes.io/job-name", "build-1")
                .containsEntry("controller-uid", done.getMetadata().getUid());
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(done.getMetadata().getUid()))
                .satisfies(o -> assertThat(o.getController()).isTrue());
        assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
        ContainerStateTerminated main = status(pod.getStatus().getContainerStatuses(), "main").getState().getTerminated();
        assertThat(main.getExitCode()).isZero();
        assertThat(main.getReason()).isEqualTo("Completed");
        assertThat(main.getMessage()).isEqualTo("done: prepared\n");
        assertThat(status(pod.getStatus().getInitContainerStatuses(), "prepare").getState().getTerminated().getReason()).isEqualTo("Completed");

        String name = pod.getMetadata().getName();
        var logs = client.pods().inNamespace(ns).withName(name);
        assertThat(logs.inContainer("prepare").getLog()).isEqualTo("preparing\n");
        assertThat(logs.inContainer("main").getLog()).isEqualTo("prepared\nhello " + name + " from s3cret\n");

        String[] stamped = logs.inContainer("main").usingTimestamps().getLog().split("\n");
        assertThat(stamped).hasSize(2);
        Matcher second = TIMESTAMPED.matcher(stamped[1]);
        assertThat(second.matches()).as(stamped[1]).isTrue();
        assertThat(TIMESTAMPED.matcher(stamped[0]).matches()).as(stamped[0]).isTrue();
        assertThat(logs.inContainer("main").usingTimestamps().sinceTime(second.group(1)).getLog()).isEqualTo(stamped[1] + "\n");
        assertThat(logs.inContainer("main").sinceTime(second.group(1)).getLog()).isEqualTo(second.group(2) + "\n");
        assertThat(logs.inContainer("main").tailingLines(1).getLog()).isEqualTo(second.group(2) + "\n");
        assertThat(logs.inContainer("main").limitBytes(4).getLog()).isEqualTo("prep");

        assertThatThrownBy(logs::getLog).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(400);
            assertThat(e.getStatus().getMessage())
                    .isEqualTo("a container name must be specified for pod " + name + ", choose one of: [main] or one of the init containers: [prepare]");
        });
        assertThatThrownBy(() -> logs.inContainer("nope").getLog()).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(400));
    }

    @Test
    void aFollowedLogEndsWithWhatTheContainerWroteSoFar() throws Exception {
        job("follow", shell("main", "echo one; echo two"), 0);
        awaitFinished("follow", "Complete");
        String name = onlyPod("follow").getMetadata().getName();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (LogWatch watch = client.pods().inNamespace(ns).withName(name).inContainer("main").usingTimestamps().watchLog(out)) {
            watch.onClose().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(l -> assertThat(l).matches(TIMESTAMPED));
        assertThat(lines[1]).endsWith(" two");
        assertThatThrownBy(() -> client.pods().inNamespace(ns).withName("no-such-pod").inContainer("main").getLog())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(404);
                    assertThat(e.getStatus().getMessage()).isEqualTo("pods \"no-such-pod\" not found");
                });
    }

    @Test
    void aFailingContainerFailsTheJobAndKeepsItsLog() {
        job("fails", shell("main", "echo about to fail; exit 3")
                .editFirstContainer().withTerminationMessagePolicy("FallbackToLogsOnError").endContainer(), 0);

        Job failed = awaitFinished("fails", "Failed");
        assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType).containsExactly("FailureTarget", "Failed");
        assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getReason).containsOnly("BackoffLimitExceeded");
        assertThat(failed.getStatus().getFailed()).isEqualTo(1);
        Pod pod = onlyPod("fails");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        ContainerStateTerminated main = status(pod.getStatus().getContainerStatuses(), "main").getState().getTerminated();
        assertThat(main.getExitCode()).isEqualTo(3);
        assertThat(main.getReason()).isEqualTo("Error");
        assertThat(main.getMessage()).isEqualTo("about to fail\n");
        assertThat(client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).getLog()).isEqualTo("about to fail\n");
    }

    @Test
    void aFailedPodIsRetriedWithinTheBackoffLimit() {
        job("retried", shell("main", "exit 1"), 1);
        Job failed = awaitFinished("retried", "Failed");
        assertThat(failed.getStatus().getFailed()).isEqualTo(2);
        assertThat(client.pods().inNamespace(ns).withLabel("job-name", "retried").list().getItems()).hasSize(2);
    }

    @Test
    void anActiveDeadlineKillsTheRunningProcessesAndFailsTheJob() {
        Job job = new JobBuilder().withNewMetadata().withName("slow").endMetadata()
                .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(2L).withNewTemplate()
                .withSpec(shell("main", "sleep 100; echo never").build()).endTemplate().endSpec().build();
        client.batch().v1().jobs().inNamespace(ns).resource(job).create();
        List<ProcessHandle> tree = awaitRunningTree("slow");

        Job failed = awaitFinished("slow", "Failed");
        assertThat(failed.getStatus().getConditions()).extracting(JobCondition::getType).containsExactly("FailureTarget", "Failed");
        assertThat(failed.getStatus().getConditions()).allSatisfy(c -> {
            assertThat(c.getReason()).isEqualTo("DeadlineExceeded");
            assertThat(c.getMessage()).isEqualTo("Job was active longer than specified deadline");
        });
        assertThat(failed.getStatus().getActive()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(client.pods().inNamespace(ns).withLabel("job-name", "slow").list().getItems()).isEmpty();
    }

    /** The container's shell and its {@code sleep}, once the pod runs. */
    List<ProcessHandle> awaitRunningTree(String job) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Pod> pods = client.pods().inNamespace(ns).withLabel("job-name", job).list().getItems();
            if (pods.isEmpty() || pods.get(0).getStatus() == null || !"Running".equals(pods.get(0).getStatus().getPhase())) {
                return List.<ProcessHandle>of();
            }
            ProcessHandle sh = cluster.kubelet().run(pods.get(0).getMetadata().getUid()).orElseThrow()
                    .container("main").orElseThrow().process().orElseThrow();
            return java.util.stream.Stream.concat(java.util.stream.Stream.of(sh), sh.descendants()).toList();
        }, t -> t.size() >= 2 && t.stream().allMatch(ProcessHandle::isAlive));
    }

    @Test
    void deletingAJobKillsItsProcessesAndDeletesItsPod() {
        job("deleted", shell("main", "sleep 100; echo never"), 0);
        List<ProcessHandle> tree = awaitRunningTree("deleted");

        client.batch().v1().jobs().inNamespace(ns).withName("deleted").delete();

        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(ns).withLabel("job-name", "deleted").list().getItems().isEmpty());
    }

    @Test
    void aFinishedJobIsDeletedAfterItsTtl() {
        Job job = new JobBuilder().withNewMetadata().withName("brief").endMetadata()
                // 3 s: times are kept to the second, as Kubernetes keeps them, so the Job may go up to 1 s early
                .withNewSpec().withTtlSecondsAfterFinished(3).withNewTemplate().withSpec(shell("main", "true").build()).endTemplate()
                .endSpec().build();
        client.batch().v1().jobs().inNamespace(ns).resource(job).create();
        awaitFinished("brief", "Complete");

        await().atMost(Duration.ofSeconds(10)).until(() -> client.batch().v1().jobs().inNamespace(ns).withName("brief").get() == null);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(ns).withLabel("job-name", "brief").list().getItems().isEmpty());
    }

    @Test
    void aFailedInitContainerNeverStartsTheContainer(@TempDir Path dir) {
        Path marker = dir.resolve("started");
        PodSpecBuilder spec = shell("main", "touch " + marker)
                .addNewInitContainer().withName("check").withImage("busybox").withCommand("sh", "-c", "echo check failed >&2; exit 1")
                .endInitContainer();
        job("guarded", spec, 0);

        awaitFinished("guarded", "Failed");
        Pod pod = onlyPod("guarded");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(status(pod.getStatus().getInitContainerStatuses(), "check").getState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(status(pod.getStatus().getContainerStatuses(), "main").getState().getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(Files.exists(marker)).isFalse();
        var logs = client.pods().inNamespace(ns).withName(pod.getMetadata().getName());
        assertThat(logs.inContainer("check").getLog()).isEqualTo("check failed\n");
        assertThatThrownBy(() -> logs.inContainer("main").getLog()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(400);
            assertThat(e.getStatus().getMessage())
                    .isEqualTo("container \"main\" in pod \"" + pod.getMetadata().getName() + "\" is waiting to start: PodInitializing");
        });
    }

    @Test
    void aPodSeesOnlyTheConfigMapItemsAskedForAndTheSecretsDecodedValues() {
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("conf").endMetadata()
                .addToData("wanted", "yes").addToData("other", "no").build()).create();
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("key").endMetadata()
                .addToData("id", java.util.Base64.getEncoder().encodeToString("k-1".getBytes(StandardCharsets.UTF_8))).build()).create();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("reader").endMetadata()
                .withSpec(shell("main", "ls -R /conf; cat /conf/sub/w.txt; cat /key/id")
                        .addNewVolume().withName("conf").withNewConfigMap().withName("conf").addNewItem().withKey("wanted").withPath("sub/w.txt")
                        .endItem().endConfigMap().endVolume()
                        .addNewVolume().withName("key").withNewSecret().withSecretName("key").endSecret().endVolume()
                        .editFirstContainer().addNewVolumeMount().withName("conf").withMountPath("/conf").endVolumeMount()
                        .addNewVolumeMount().withName("key").withMountPath("/key").withReadOnly(true).endVolumeMount().endContainer().build())
                .build()).create();

        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(ns).withName("reader").get(),
                p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()));
        String log = client.pods().inNamespace(ns).withName("reader").getLog();
        assertThat(log).contains("w.txt").doesNotContain("other").endsWith("yesk-1");
    }

    @Test
    void aContainerWithoutCommandFailsWithAReason() {
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("bare").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("main").withImage("nginx").endContainer().endSpec()
                .build()).create();

        Pod pod = await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(ns).withName("bare").get(),
                p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()));
        var waiting = status(pod.getStatus().getContainerStatuses(), "main").getState().getWaiting();
        assertThat(waiting.getReason()).isEqualTo("CreateContainerConfigError");
        assertThat(waiting.getMessage()).contains("has no command").contains("nginx");
    }

    @Test
    void refusedCreationsAreAnsweredForbiddenUntilTheRefusalIsLifted() {
        String quota = "exceeded quota: builds, requested: count/jobs.batch=1, used: count/jobs.batch=4, limited: count/jobs.batch=4";
        try (var refusal = cluster.refuse(Job.class, j -> j.getMetadata().getName().startsWith("build-"), 403, quota)) {
            assertThatThrownBy(() -> job("build-9", shell("main", "true"), 0)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
                assertThat(e.getStatus().getMessage()).isEqualTo("jobs.batch \"build-9\" is forbidden: " + quota);
            });
            job("other", shell("main", "true"), 0);
            assertThat(client.batch().v1().jobs().inNamespace(ns).withName("build-9").get()).isNull();
        }
        job("build-9", shell("main", "true"), 0);
        awaitFinished("build-9", "Complete");
    }

    /** A client that reports a failed request at once, where the default one tries again for seconds. */
    static KubernetesClient withoutRetries() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build())
                .build();
    }

    @Test
    void anUnavailableApiServerAnswers503UntilItIsBack() {
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kept").endMetadata().build()).create();
        cluster.unavailable(true);
        try (KubernetesClient impatient = withoutRetries()) {
            assertThatThrownBy(() -> impatient.configMaps().inNamespace(ns).withName("kept").get())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(503));
        } finally {
            cluster.unavailable(false);
        }
        assertThat(client.configMaps().inNamespace(ns).withName("kept").get()).isNotNull();
    }

    @Test
    void aRestartedApiServerKeepsItsObjectsAndItsControllersCarryOn() {
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("kept").endMetadata()
                .addToData(Map.of("k", "v")).build()).create();
        cluster.stopApiServer();
        try (KubernetesClient impatient = withoutRetries()) {
            assertThatThrownBy(() -> impatient.configMaps().inNamespace(ns).withName("kept").get()).isInstanceOf(KubernetesClientException.class);
        } finally {
            cluster.startApiServer();
        }
        assertThat(client.configMaps().inNamespace(ns).withName("kept").get().getData()).containsEntry("k", "v");
        job("after-restart", shell("main", "echo still here"), 0);
        awaitFinished("after-restart", "Complete");
    }
}
