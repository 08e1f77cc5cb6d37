package dev.cascade.build.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster says about build Jobs and their pods: two informers on the build namespace, on the objects
 * build-service manages. Running builds read their Job's and pod's state from here rather than asking the API
 * server each time, and wait here for it to change. The informers keep retrying while the API server cannot be
 * reached; {@link #unavailable()} says so meanwhile.
 */
final class BuildJobWatch implements AutoCloseable {

    private final SharedIndexInformer<Job> jobs;
    private final SharedIndexInformer<Pod> pods;
    /** The Jobs builds of this instance follow, by name. */
    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    /** The last state of followed Jobs that were deleted, by name, so a build can tell why its Job went. */
    private final Map<String, Job> deleted = new ConcurrentHashMap<>();
    private final Object changed = new Object();
    private volatile String lastError = "not connected yet";
    private volatile boolean watched;
    private volatile Instant notWatchingSince;

    private static final Duration RESTART_GRACE = Duration.ofSeconds(5);
    private static final String BY_BUILD = "build";

    BuildJobWatch(KubernetesClient client, String namespace) {
        this.jobs = client.batch().v1().jobs().inNamespace(namespace).withLabel(BuildJobManifest.MANAGED_BY, BuildJobManifest.MANAGER)
                .runnableInformer(0);
        this.pods = client.pods().inNamespace(namespace).withLabel(BuildJobManifest.MANAGED_BY, BuildJobManifest.MANAGER)
                .runnableInformer(0);
        jobs.addEventHandler(new Handler<>() {
            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                if (followed.contains(job.getMetadata().getName())) {
                    deleted.put(job.getMetadata().getName(), job);
                }
                signal();
            }
        });
        // looked up by build by every running build, every second: indexed rather than scanned
        pods.addIndexers(Map.of(BY_BUILD, p -> List.of(p.getMetadata().getLabels().getOrDefault(BuildJobManifest.BUILD_LABEL, ""))));
        pods.addEventHandler(new Handler<>());
        jobs.exceptionHandler((started, t) -> retry(t));
        pods.exceptionHandler((started, t) -> retry(t));
    }

    void start() {
        jobs.start();
        pods.start();
    }

    private boolean retry(Throwable t) {
        lastError = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        Log.debugf("build Jobs: the Kubernetes API server cannot be watched: %s", lastError);
        return true; // keep trying: builds stay queued meanwhile
    }

    /**
     * Why build Jobs cannot be watched now; empty while both informers watch. A watch that restarts (as watches
     * routinely do) is given a few seconds before it counts.
     */
    Optional<String> unavailable() {
        if (jobs.isWatching() && pods.isWatching()) {
            watched = true;
            notWatchingSince = null;
            return Optional.empty();
        }
        Instant since = notWatchingSince;
        if (since == null) {
            notWatchingSince = since = Instant.now();
        }
        return watched && Instant.now().isBefore(since.plus(RESTART_GRACE)) ? Optional.empty()
                : Optional.of("the Kubernetes API server cannot be reached: " + lastError);
    }

    /** The Job as last seen; empty when it does not exist (yet, or any more). */
    Optional<Job> job(String namespace, String name) {
        return Optional.ofNullable(jobs.getStore().getByKey(namespace + "/" + name));
    }

    /** The Job's last state, when it was deleted while build-service watched. */
    Optional<Job> deletedJob(String name) {
        return Optional.ofNullable(deleted.get(name));
    }

    /** A build of this instance follows this Job from now on. */
    void following(String name) {
        followed.add(name);
    }

    void forget(String name) {
        followed.remove(name);
        deleted.remove(name);
    }

    /** The newest pod of a build's Job. */
    Optional<Pod> pod(String buildId) {
        return pods.getIndexer().byIndex(BY_BUILD, buildId).stream()
                .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()));
    }

    /** Waits until something watched changes, or at most {@code millis}. */
    void awaitChange(long millis) throws InterruptedException {
        synchronized (changed) {
            changed.wait(millis);
        }
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    @Override
    public void close() {
        jobs.close();
        pods.close();
    }

    /** Wakes the builds waiting for a change. */
    private class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            signal();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            signal();
        }

        @Override
        public void onDelete(T obj, boolean finalStateUnknown) {
            signal();
        }
    }
}
