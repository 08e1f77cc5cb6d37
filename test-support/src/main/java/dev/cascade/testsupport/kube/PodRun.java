package dev.cascade.testsupport.kube;

import dev.cascade.testsupport.kube.PodSandbox.ConfigError;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * One pod as a kubelet runs it ({@code restartPolicy: Never}; {@code OnFailure} is run the same way, a failed
 * container failing the pod): the init containers one after the other, then the containers side by side, each a
 * {@link ContainerRun}; the pod's phase and conditions are derived from their states as a kubelet derives them.
 */
public final class PodRun {

    private final Pod pod;
    private final LocalKubelet kubelet;
    private final List<ContainerRun> inits = new ArrayList<>();
    private final List<ContainerRun> containers = new ArrayList<>();
    private final Map<String, Instant> transitions = new HashMap<>();
    private final Map<String, String> lastConditions = new HashMap<>();
    private final Instant accepted = Instant.now();
    private volatile String failure;
    private volatile boolean deleted;

    PodRun(Pod pod, LocalKubelet kubelet) {
        this.pod = pod;
        this.kubelet = kubelet;
        for (Container c : pod.getSpec().getInitContainers()) {
            inits.add(new ContainerRun(c, true, "PodInitializing"));
        }
        for (Container c : pod.getSpec().getContainers()) {
            containers.add(new ContainerRun(c, false, inits.isEmpty() ? "ContainerCreating" : "PodInitializing"));
        }
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    /** A container or init container by name. */
    public Optional<ContainerRun> container(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<ContainerRun> all() {
        List<ContainerRun> all = new ArrayList<>(inits);
        all.addAll(containers);
        return all;
    }

    /** Runs the pod to its end; called on a thread of its own. */
    void run() {
        kubelet.changed(this);
        PodSandbox box;
        try {
            box = PodSandbox.create(kubelet.podsDir(), pod, kubelet.client());
        } catch (ConfigError e) {
            fail(all(), e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            fail(all(), "preparing the pod's volumes: " + e);
            return;
        }
        for (int i = 0; i < inits.size(); i++) {
            ContainerRun init = inits.get(i);
            int code = start(init, pod.getSpec().getInitContainers().get(i), box).join();
            if (code != 0 || deleted) {
                failure = failure != null ? failure : "init container " + init.name() + " exited with " + code;
                kubelet.changed(this);
                return;
            }
        }
        containers.forEach(c -> c.waiting("ContainerCreating", null));
        kubelet.changed(this);
        List<CompletableFuture<Integer>> running = new ArrayList<>();
        for (int i = 0; i < containers.size(); i++) {
            running.add(start(containers.get(i), pod.getSpec().getContainers().get(i), box));
        }
        running.forEach(CompletableFuture::join);
        kubelet.changed(this);
    }

    private CompletableFuture<Integer> start(ContainerRun run, Container spec, PodSandbox box) {
        run.waiting("ContainerCreating", null);
        kubelet.changed(this);
        ProcessBuilder builder;
        java.nio.file.Path termination;
        try {
            termination = box.terminationFile(spec.getName());
            builder = ContainerLaunch.prepare(pod, spec, box, box.mounts(spec, termination), kubelet.client(), kubelet.extraPath());
        } catch (ConfigError | IOException | RuntimeException e) {
            fail(List.of(run), e.getMessage());
            return CompletableFuture.completedFuture(-1);
        }
        boolean fallback = "FallbackToLogsOnError".equals(spec.getTerminationMessagePolicy());
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run.run(builder, termination, fallback, () -> kubelet.changed(this));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (RuntimeException e) {
                failure = "container " + run.name() + ": " + e.getMessage();
                return -1;
            } finally {
                kubelet.changed(this);
            }
        }, kubelet.threads());
    }

    /** A kubelet that cannot create a container retries; this one fails the pod, so that tests end. */
    private void fail(List<ContainerRun> runs, String message) {
        runs.forEach(c -> c.waiting("CreateContainerConfigError", message));
        failure = message;
        kubelet.changed(this);
    }

    /** Kills the pod's processes (it was deleted): SIGTERM, then SIGKILL after the grace period. */
    void kill(long graceMillis) {
        deleted = true;
        List<Thread> killers = new ArrayList<>();
        for (ContainerRun c : all()) {
            Thread t = new Thread(() -> c.kill(graceMillis), "kubelet-kill-" + c.name());
            t.start();
            killers.add(t);
        }
        for (Thread t : killers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    boolean deleted() {
        return deleted;
    }

    /** The phase a kubelet derives: Failed once anything failed, Succeeded when every container exited 0. */
    String phase() {
        boolean initsDone = inits.stream().allMatch(c -> c.exitCode().orElse(-1) == 0);
        if (failure != null || inits.stream().anyMatch(c -> c.exitCode().filter(x -> x != 0).isPresent())) {
            return "Failed";
        }
        if (initsDone && containers.stream().allMatch(c -> c.exitCode().isPresent())) {
            return containers.stream().allMatch(c -> c.exitCode().get() == 0) ? "Succeeded" : "Failed";
        }
        return containers.stream().anyMatch(ContainerRun::started) ? "Running" : "Pending";
    }

    /** The status as a kubelet writes it through the status subresource. */
    synchronized PodStatus status() {
        String phase = phase();
        List<String> unready = containers.stream().filter(c -> !c.started() || c.exitCode().isPresent())
                .map(ContainerRun::name).collect(Collectors.toList());
        List<String> incomplete = inits.stream().filter(c -> c.exitCode().orElse(-1) != 0)
                .map(ContainerRun::name).collect(Collectors.toList());
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition("PodReadyToStartContainers", true, null, null));
        conditions.add(condition("Initialized", incomplete.isEmpty(), "ContainersNotInitialized",
                "containers with incomplete status: " + names(incomplete)));
        String notReady = phase.equals("Succeeded") ? "PodCompleted" : "ContainersNotReady";
        String notReadyMessage = phase.equals("Succeeded") ? null : "containers with unready status: " + names(unready);
        conditions.add(condition("Ready", unready.isEmpty(), notReady, notReadyMessage));
        conditions.add(condition("ContainersReady", unready.isEmpty(), notReady, notReadyMessage));
        conditions.add(condition("PodScheduled", true, null, null));
        List<ContainerStatus> initStatuses = inits.stream().map(ContainerRun::status).collect(Collectors.toList());
        List<ContainerStatus> statuses = containers.stream().map(ContainerRun::status).collect(Collectors.toList());
        return new PodStatusBuilder().withPhase(phase).withConditions(conditions)
                .withMessage(phase.equals("Failed") ? failure : null)
                .withHostIP("127.0.0.1").withPodIP("127.0.0.1").withPodIPs(new PodIPBuilder().withIp("127.0.0.1").build())
                .withStartTime(ContainerRun.time(accepted)).withQosClass("BestEffort")
                .withInitContainerStatuses(initStatuses).withContainerStatuses(statuses).build();
    }

    private PodCondition condition(String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        if (!value.equals(lastConditions.put(type, value))) {
            transitions.put(type, Instant.now());
        }
        return new PodConditionBuilder().withType(type).withStatus(value)
                .withLastTransitionTime(ContainerRun.time(transitions.get(type)))
                .withReason(status ? null : reason).withMessage(status ? null : message).build();
    }

    private static String names(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }
}
