package dev.cascade.build.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.executor.BuildExecutor;
import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.build.executor.ExecutorUnavailableException;
import dev.cascade.buildstep.BuildJob;
import dev.cascade.buildstep.BuildOutcome;
import dev.cascade.buildstep.process.BuildStepException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs each build as a {@code batch/v1} Job in the build namespace ({@link BuildJobManifest}) and follows it to its
 * end: the pod's log becomes the build's log, and the build container's termination message says what was pushed,
 * which is confirmed with the registry before the build counts as succeeded.
 *
 * <p>A Job is named after its build, so a build claimed again after its instance died finds its Job already there
 * and follows it instead of starting a second one. A Job deleted from outside fails its build with that reason; a
 * Job the API server refuses (a quota, an admission policy) fails it with the API server's message; while the API
 * server cannot be reached, no build is started ({@link #unavailable()}) and one that could not be created goes back to
 * the queue.
 */
@ApplicationScoped
@LookupIfProperty(name = "cascade.build.executor", stringValue = "kubernetes")
public class KubernetesExecutor implements BuildExecutor {

    private static final Pattern PINNED = Pattern.compile(".+@sha256:[0-9a-f]{64}");
    private static final Duration UNSEEN_LIMIT = Duration.ofSeconds(30);
    private static final Duration PAUSE = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final JobSettings jobs;
    private final ExecutorSettings executor;
    private final ObjectMapper json;
    private final PushConfirmation pushes;
    private final String namespace;
    private final String builderImage;
    private final String registryAliases;
    private final BuildJobWatch watch;
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();
    private volatile Instant pausedUntil = Instant.EPOCH;
    private volatile String pausedBecause = "";

    public KubernetesExecutor(KubernetesClient client, JobSettings jobs, ExecutorSettings executor, ObjectMapper json,
                              PushConfirmation pushes,
                              @ConfigProperty(name = "cascade.registry.aliases") Optional<String> aliasSpec) {
        this.client = client;
        this.jobs = jobs;
        this.executor = executor;
        this.json = json;
        this.pushes = pushes;
        this.namespace = jobs.namespace().filter(n -> !n.isBlank()).orElse(client.getNamespace());
        this.builderImage = jobs.builderImage().filter(i -> !i.isBlank()).orElseThrow(() -> new IllegalStateException(
                "CASCADE_BUILD_BUILDER_IMAGE must name the builder image (git, buildah, cascade-build-step) for the kubernetes executor"));
        if (!PINNED.matcher(builderImage).matches()) {
            throw new IllegalStateException("CASCADE_BUILD_BUILDER_IMAGE must be pinned by digest (registry/repository@sha256:...), not "
                    + builderImage + ": every build runs the same tools");
        }
        this.registryAliases = aliasSpec.orElse("");
        this.watch = new BuildJobWatch(client, namespace);
        watch.start();
        Log.infof("builds run as Kubernetes Jobs in namespace %s, from %s", namespace, builderImage);
    }

    @PreDestroy
    void stop() {
        watch.close();
    }

    @Override
    public Optional<String> unavailable() {
        Optional<String> watching = watch.unavailable();
        if (watching.isPresent()) {
            return watching;
        }
        return Instant.now().isBefore(pausedUntil) ? Optional.of(pausedBecause) : Optional.empty();
    }

    @Override
    public BuildOutcome execute(BuildJob build, OutputStream log) throws IOException, InterruptedException {
        String name = BuildJobManifest.name(build.buildId());
        watch.following(name);
        try {
            boolean adopted = create(build, name);
            write(log, adopted
                    ? "--- the build's Job " + namespace + "/" + name + " was already running: following it, its log from the start ---\n"
                    : "--- build Job " + namespace + "/" + name + " created ---\n");
            return follow(build, name, log);
        } catch (InterruptedException e) {
            // this instance is stopping; the Job goes on, and the instance that takes the build over follows it
            Thread.currentThread().interrupt();
            throw new ExecutorUnavailableException("build-service stopped while following the build's Job " + name, e);
        } finally {
            watch.forget(name);
            cancelled.remove(build.buildId());
        }
    }

    /** Creates the build's Job; true when it existed already (its build was started by an instance that then died). */
    private boolean create(BuildJob build, String name) {
        Optional<String> away = unavailable();
        if (away.isPresent()) {
            throw new ExecutorUnavailableException(away.get(), null);
        }
        Job job = BuildJobManifest.job(build, namespace, builderImage, jobs, executor, registryAliases, json);
        try {
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            return false;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return true;
            }
            if (e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 408 && e.getCode() != 429) {
                throw new BuildStepException("the Kubernetes API server refused the build's Job: " + message(e), false);
            }
            String why = "the Kubernetes API server cannot be reached: " + message(e);
            // no build starts for a while: each would only go back to the queue
            pausedUntil = Instant.now().plus(PAUSE);
            pausedBecause = why;
            throw new ExecutorUnavailableException(why, e);
        }
    }

    /** Follows the Job and its pod's containers until the Job has finished or is gone. */
    private BuildOutcome follow(BuildJob build, String name, OutputStream log) throws InterruptedException {
        String buildId = build.buildId().toString();
        Instant since = Instant.now();
        Optional<Job> lastSeen = Optional.empty();
        Set<String> followed = new HashSet<>();
        boolean deleting = false;
        while (true) {
            Optional<Job> job = watch.job(namespace, name);
            if (job.isEmpty()) {
                // the informer drops a deleted Job from its store before it says so: the last state seen here counts too
                Optional<Job> gone = watch.deletedJob(name);
                gone = gone.isPresent() ? gone : lastSeen;
                if (gone.isPresent() || Instant.now().isAfter(since.plus(UNSEEN_LIMIT)) && !exists(name)) {
                    throw deleted(build, name, gone);
                }
                watch.awaitChange(1000);
                continue;
            }
            lastSeen = job;
            if (!deleting && cancelled.contains(build.buildId())) {
                deleteJob(build.buildId()); // cancelled before its Job was there to delete
                deleting = true;
            }
            Optional<Job> current = watch.job(namespace, name);
            if (current.isPresent() && JobState.finished(current.get())) {
                // the Job's end may be seen before its pod's: read the pod from the API server, and what is left of its log
                Optional<Pod> last = latestPod(buildId);
                if (last.isPresent()) {
                    followStarted(name, buildId, last.get(), followed, true, log);
                }
                return result(build, current.get(), last);
            }
            Optional<Pod> pod = watch.pod(buildId);
            if (pod.isPresent()) {
                followStarted(name, buildId, pod.get(), followed, false, log);
            }
            watch.awaitChange(1000);
        }
    }

    /**
     * Copies the log of each container of the pod that has started and is not followed yet, in the order they run:
     * while it runs, or, once the Job is over, what it wrote.
     */
    private void followStarted(String jobName, String buildId, Pod pod, Set<String> followed, boolean over, OutputStream log)
            throws InterruptedException {
        String podName = pod.getMetadata().getName();
        for (String container : BuildJobManifest.CONTAINERS) {
            // following the first container takes its whole run: the pod as it is now says whether the next has started
            Pod now = over ? pod : watch.pod(buildId).orElse(pod);
            if (followed.contains(container) || !JobState.started(now, container)) {
                continue;
            }
            new PodLogFollower(client, namespace, podName, container, log).follow(over ? () -> true : () -> {
                Optional<Pod> p = watch.pod(buildId);
                return p.isEmpty() || !p.get().getMetadata().getName().equals(podName) || watch.job(namespace, jobName).isEmpty()
                        || JobState.terminated(p.get(), container).isPresent() || JobState.podOver(p.get());
            }, () -> watch.awaitChange(500));
            followed.add(container);
        }
    }

    /** How a finished Job ended, as the build's outcome or failure. */
    private BuildOutcome result(BuildJob build, Job job, Optional<Pod> pod) {
        if (cancelled(build, Optional.of(job))) {
            throw new BuildStepException("cancelled", true); // its pod was stopped on request, whatever it reported
        }
        if (JobState.succeeded(job)) {
            String message = pod.flatMap(p -> JobState.terminated(p, BuildJobManifest.BUILD)).map(t -> t.getMessage()).orElse("");
            BuildOutcome outcome;
            try {
                outcome = json.readValue(message, BuildOutcome.class);
            } catch (IOException e) {
                throw new BuildStepException("the build container reported no pushed image (termination message: " + abbreviate(message) + ")", false);
            }
            if (outcome.digest() == null || outcome.digest().isBlank()) {
                throw new BuildStepException("the build container reported no pushed digest", false);
            }
            // what was configured is what is confirmed and recorded, whatever the pod said it pushed to
            BuildOutcome configured = new BuildOutcome(outcome.commit(), build.output(), outcome.digest(), outcome.baseDigests());
            try {
                return new BuildOutcome(outcome.commit(), pushes.confirm(configured), outcome.digest(), outcome.baseDigests());
            } catch (BuildStepException e) {
                if (e.transientFailure()) {
                    // the Job stays for its TTL: the build is taken up again and its push confirmed then
                    throw new ExecutorUnavailableException(e.getMessage(), e);
                }
                throw e;
            }
        }
        if ("DeadlineExceeded".equals(JobState.failureReason(job))) {
            // a container that never started (an image that cannot be pulled) says why
            throw new BuildStepException("timed out after " + build.timeoutSeconds() + " s"
                    + pod.flatMap(JobState::waitingReason).map(w -> ": " + w).orElse(""), false);
        }
        throw new BuildStepException(pod.map(p -> JobState.containerFailure(p, json)).flatMap(f -> f)
                .orElse("the build's Job failed: " + JobState.failureReason(job) + ": " + JobState.failureMessage(job)), false);
    }

    private BuildStepException deleted(BuildJob build, String name, Optional<Job> lastState) {
        return cancelled(build, lastState) ? new BuildStepException("cancelled", true)
                : new BuildStepException("the build's Job " + namespace + "/" + name + " was deleted outside Cascade", false);
    }

    /** Cancelled here, or (by any instance) marked as cancelled on its Job. */
    private boolean cancelled(BuildJob build, Optional<Job> job) {
        return cancelled.contains(build.buildId()) || job
                .map(j -> j.getMetadata().getAnnotations() != null && j.getMetadata().getAnnotations().containsKey(BuildJobManifest.CANCELLED_ANNOTATION))
                .orElse(false);
    }

    /** The build's pod as the API server has it now; as last watched when the API server cannot say. */
    private Optional<Pod> latestPod(String buildId) {
        try {
            return client.pods().inNamespace(namespace).withLabel(BuildJobManifest.BUILD_LABEL, buildId).list().getItems().stream()
                    .max(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()));
        } catch (KubernetesClientException e) {
            return watch.pod(buildId);
        }
    }

    private boolean exists(String name) {
        try {
            return client.batch().v1().jobs().inNamespace(namespace).withName(name).get() != null;
        } catch (KubernetesClientException e) {
            return true; // cannot tell: keep waiting
        }
    }

    /**
     * Cancels a build wherever its Job runs: marks the Job as cancelled by Cascade, then deletes it and (in the
     * background) its pod. The instance following the build sees it go and ends it as cancelled.
     */
    @Override
    public void cancel(UUID buildId) {
        cancelled.add(buildId);
        Infrastructure.getDefaultWorkerPool().execute(() -> deleteJob(buildId));
    }

    /** Marks a build's Job as cancelled by Cascade and deletes it; nothing when it is not there. Blocking. */
    private void deleteJob(UUID buildId) {
        String name = BuildJobManifest.name(buildId);
        var resource = client.batch().v1().jobs().inNamespace(namespace).withName(name);
        try {
            if (resource.get() == null) {
                return;
            }
            // a merge patch of the annotation alone: no resourceVersion, so the Job's own status updates cannot conflict
            resource.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\""
                    + BuildJobManifest.CANCELLED_ANNOTATION + "\":\"" + Instant.now() + "\"}}}");
        } catch (KubernetesClientException e) {
            Log.warnf("build %s: its Job %s could not be marked as cancelled: %s", buildId, name, message(e));
        }
        try {
            resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            Log.warnf("build %s: its Job %s could not be deleted: %s", buildId, name, message(e));
        }
    }

    static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static void write(OutputStream log, String text) throws IOException {
        synchronized (log) {
            log.write(text.getBytes(StandardCharsets.UTF_8));
            log.flush();
        }
    }
}
