package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The kubelet of a one-node cluster whose node is this machine: it watches pods, runs each new one (in the
 * namespaces it is given) as a {@link PodRun} of local processes, writes their status through the status
 * subresource, and kills a pod's processes when the pod is deleted. It keeps every container's log for the
 * API server's log endpoint.
 */
public final class LocalKubelet implements AutoCloseable {

    /** The name of the one node ({@code spec.nodeName} in the downward API). */
    public static final String NODE_NAME = "local";
    /** The most a deleted pod's processes get between SIGTERM and SIGKILL, whatever its grace period says. */
    static final long MAX_GRACE_MILLIS = 3_000;

    private static final Logger LOG = Logger.getLogger(LocalKubelet.class.getName());

    private final KubernetesClient client;
    private final Path podsDir;
    private final List<Path> extraPath;
    private final Predicate<String> namespaces;
    private final Map<String, PodRun> runs = new ConcurrentHashMap<>();
    private final Set<PodRun> dirty = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<PodRun> writes = new LinkedBlockingQueue<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(daemon("kubelet"));
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(daemon("kubelet-retry"));
    private final Thread writer;
    private final SharedIndexInformer<Pod> informer;
    /** Kills what is left if the JVM ends without {@link #close()}: a test JVM's processes must not outlive it. */
    private final Thread reaper = new Thread(this::killAll, "kubelet-reaper");
    private volatile boolean closed;

    LocalKubelet(KubernetesClient client, Path podsDir, List<Path> extraPath, Predicate<String> namespaces) {
        this.client = client;
        this.podsDir = podsDir;
        this.extraPath = List.copyOf(extraPath);
        this.namespaces = namespaces;
        this.writer = new Thread(this::writeStatuses, "kubelet-status");
        writer.setDaemon(true);
        writer.start();
        Runtime.getRuntime().addShutdownHook(reaper);
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                admit(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                admit(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                deleted(pod);
            }
        }, 0);
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private void admit(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (closed || !namespaces.test(pod.getMetadata().getNamespace()) || "Succeeded".equals(phase) || "Failed".equals(phase)
                || pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        PodRun run = new PodRun(pod, this);
        if (runs.putIfAbsent(pod.getMetadata().getUid(), run) == null) {
            threads.execute(run::run);
        }
    }

    private void deleted(Pod pod) {
        PodRun run = runs.get(pod.getMetadata().getUid());
        if (run != null && !run.deleted()) {
            threads.execute(() -> run.kill(grace(pod)));
        }
    }

    private static long grace(Pod pod) {
        Long seconds = pod.getSpec().getTerminationGracePeriodSeconds();
        return Math.min(seconds == null ? 30_000 : seconds * 1000, MAX_GRACE_MILLIS);
    }

    /** The pod run of a pod by its uid, while the kubelet knows it. */
    public Optional<PodRun> run(String uid) {
        return Optional.ofNullable(runs.get(uid));
    }

    /** The pod run of the pod now named so, if it runs here. */
    public Optional<PodRun> run(String namespace, String name) {
        return runs.values().stream().filter(r -> r.namespace().equals(namespace) && r.name().equals(name) && !r.deleted()).findFirst();
    }

    void changed(PodRun run) {
        if (dirty.add(run)) {
            writes.add(run);
        }
    }

    /** Writes the newest status of each changed pod, one pod at a time; a failed write is tried again. */
    private void writeStatuses() {
        while (!closed) {
            PodRun run;
            try {
                run = writes.take();
            } catch (InterruptedException e) {
                return;
            }
            dirty.remove(run);
            if (run.deleted()) {
                continue;
            }
            try {
                var status = run.status();
                client.pods().inNamespace(run.namespace()).withName(run.name()).editStatus(p -> {
                    if (!run.uid().equals(p.getMetadata().getUid())) {
                        throw new KubernetesClientException("pod " + run.name() + " was replaced", 404, null);
                    }
                    p.setStatus(status);
                    return p;
                });
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404 && !closed) {
                    LOG.log(Level.FINE, "status of pod " + run.name() + " not written, trying again", e);
                    retries.schedule(() -> changed(run), 200, TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "status of pod " + run.name() + " not written", e);
            }
        }
    }

    KubernetesClient client() {
        return client;
    }

    Path podsDir() {
        return podsDir;
    }

    List<Path> extraPath() {
        return extraPath;
    }

    ExecutorService threads() {
        return threads;
    }

    /** Stops watching and kills every process of every pod, quickly. */
    @Override
    public void close() {
        closed = true;
        informer.close();
        writer.interrupt();
        retries.shutdownNow();
        killAll();
        threads.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private void killAll() {
        runs.values().parallelStream().forEach(r -> r.kill(500));
    }
}
