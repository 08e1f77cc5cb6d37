package dev.cascade.deploy.kube;

import dev.cascade.deploy.config.DeploySettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The informers (watches, not polling) on Deployments, StatefulSets, DaemonSets and Cascade's hook Jobs in the
 * watched namespaces. Each change is fired as a {@link WorkloadChanged} or {@link HookJobChanged} CDI event, and
 * the informers' caches answer what a workload looks like without asking the API server.
 */
@ApplicationScoped
public class WorkloadInformers {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String ROLLOUT_LABEL = "cascade.dev/rollout";

    private final KubernetesClient client;
    private final Set<String> namespaces;
    private final Event<WorkloadChanged> workloadChanges;
    private final Event<HookJobChanged> hookChanges;
    /** Running informers of workloads by {@code namespace/kind}; hook Job informers by {@code namespace/Job}. */
    private final Map<String, SharedIndexInformer<?>> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public WorkloadInformers(KubernetesClient client, DeploySettings settings, Event<WorkloadChanged> workloadChanges,
                             Event<HookJobChanged> hookChanges) {
        this.client = client;
        this.namespaces = Arrays.stream(settings.namespaces().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.workloadChanges = workloadChanges;
        this.hookChanges = hookChanges;
    }

    void start(@Observes StartupEvent started, Vertx vertx) {
        for (String ns : namespaces) {
            watch(vertx, ns, "Deployment", () -> client.apps().deployments().inNamespace(ns).runnableInformer(0), workloadHandler("Deployment"));
            watch(vertx, ns, "StatefulSet", () -> client.apps().statefulSets().inNamespace(ns).runnableInformer(0), workloadHandler("StatefulSet"));
            watch(vertx, ns, "DaemonSet", () -> client.apps().daemonSets().inNamespace(ns).runnableInformer(0), workloadHandler("DaemonSet"));
            watch(vertx, ns, "Job", () -> client.batch().v1().jobs().inNamespace(ns).withLabel(MANAGED_BY, "cascade").runnableInformer(0),
                    hookHandler());
        }
        Log.infof("watching Deployments, StatefulSets and DaemonSets in %s", namespaces);
    }

    void stop(@Observes ShutdownEvent stopping) {
        this.stopping = true;
        running.values().forEach(SharedIndexInformer::close);
    }

    public Set<String> namespaces() {
        return namespaces;
    }

    public boolean watches(String namespace) {
        return namespaces.contains(namespace);
    }

    /**
     * The workload as its informer last saw it; empty when it does not exist or its informer is not running yet
     * (ask {@link Workloads#get} then).
     */
    public Optional<WorkloadView> cached(WorkloadRef ref) {
        SharedIndexInformer<?> informer = running.get(ref.namespace() + "/" + ref.kind());
        if (informer == null || !informer.hasSynced()) {
            return Optional.empty();
        }
        return Optional.ofNullable(informer.getStore().getByKey(ref.namespace() + "/" + ref.name()))
                .map(w -> Workloads.view((HasMetadata) w));
    }

    /**
     * Starts an informer without holding up start-up; while the API server cannot be reached (no cluster
     * on a laptop, an outage) it is tried again every 30 s, and rollouts simply find no targets meanwhile.
     */
    private <T extends HasMetadata> void watch(Vertx vertx, String namespace, String kind, Supplier<SharedIndexInformer<T>> informer,
                                               ResourceEventHandler<T> handler) {
        SharedIndexInformer<T> inf = informer.get();
        inf.addEventHandler(handler);
        inf.start().whenComplete((ok, failure) -> {
            if (failure == null && !stopping) {
                running.put(namespace + "/" + kind, inf);
                return;
            }
            inf.close();
            if (failure != null && !stopping) {
                Log.warnf("cannot watch %ss in %s yet (%s); trying again in 30 s", kind, namespace, failure.getMessage());
                vertx.setTimer(30_000, t -> watch(vertx, namespace, kind, informer, handler));
            }
        });
    }

    private <T extends HasMetadata> ResourceEventHandler<T> workloadHandler(String kind) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                workloadChanges.fire(new WorkloadChanged(Workloads.ref(kind, obj), obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                workloadChanges.fire(new WorkloadChanged(Workloads.ref(kind, newObj), newObj));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                workloadChanges.fire(new WorkloadChanged(Workloads.ref(kind, obj), null));
            }
        };
    }

    private ResourceEventHandler<Job> hookHandler() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                changed(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job job) {
                changed(job);
            }

            @Override
            public void onDelete(Job job, boolean deletedFinalStateUnknown) {
                changed(job);
            }

            private void changed(Job job) {
                Map<String, String> labels = job.getMetadata().getLabels();
                String rollout = labels == null ? null : labels.get(ROLLOUT_LABEL);
                if (rollout != null) {
                    hookChanges.fire(new HookJobChanged(job.getMetadata().getNamespace(), job.getMetadata().getName(), rollout));
                }
            }
        };
    }
}
