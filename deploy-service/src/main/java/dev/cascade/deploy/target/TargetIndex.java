package dev.cascade.deploy.target;

import dev.cascade.deploy.config.DeploySettings;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.Workloads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The workloads that opted in with the {@code cascade.dev/image-triggers} annotation, kept current by
 * informers (watches, not polling) on Deployments, StatefulSets and DaemonSets in the watched namespaces.
 */
@ApplicationScoped
public class TargetIndex {

    /** A workload in a watched namespace: its triggers (empty without the annotation), container images and annotations. */
    public record WatchedWorkload(WorkloadRef ref, List<ImageTrigger> triggers, Map<String, String> images,
                                  Map<String, String> annotations) {
        public String key() {
            return ref.key();
        }
    }

    private final KubernetesClient client;
    private final Set<String> namespaces;
    private final Map<WorkloadRef, WatchedWorkload> byRef = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    public TargetIndex(KubernetesClient client, DeploySettings settings) {
        this.client = client;
        this.namespaces = Arrays.stream(settings.namespaces().split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    void start(@Observes StartupEvent started, io.vertx.core.Vertx vertx) {
        for (String ns : namespaces) {
            watch(vertx, "Deployment", ns, () -> client.apps().deployments().inNamespace(ns).runnableInformer(0));
            watch(vertx, "StatefulSet", ns, () -> client.apps().statefulSets().inNamespace(ns).runnableInformer(0));
            watch(vertx, "DaemonSet", ns, () -> client.apps().daemonSets().inNamespace(ns).runnableInformer(0));
        }
        Log.infof("watching Deployments, StatefulSets and DaemonSets in %s", namespaces);
    }

    /**
     * Starts an informer without holding up start-up; while the API server cannot be reached (no cluster
     * on a laptop, an outage) it is tried again every 30 s, and rollouts simply find no targets meanwhile.
     */
    private <T extends HasMetadata> void watch(io.vertx.core.Vertx vertx, String kind, String namespace,
                                               java.util.function.Supplier<SharedIndexInformer<T>> informer) {
        SharedIndexInformer<T> inf = informer.get();
        inf.addEventHandler(handler(kind));
        inf.start().whenComplete((ok, failure) -> {
            if (failure == null) {
                synchronized (informers) {
                    informers.add(inf);
                }
                return;
            }
            inf.close();
            Log.warnf("cannot watch %ss in %s yet (%s); trying again in 30 s", kind, namespace, failure.getMessage());
            vertx.setTimer(30_000, t -> watch(vertx, kind, namespace, informer));
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        synchronized (informers) {
            informers.forEach(SharedIndexInformer::close);
        }
    }

    public boolean watches(String namespace) {
        return namespaces.contains(namespace);
    }

    public Set<String> namespaces() {
        return namespaces;
    }

    public List<WatchedWorkload> all() {
        return List.copyOf(byRef.values());
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(String kind) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                index(kind, obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                index(kind, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                byRef.remove(Workloads.ref(kind, obj));
            }
        };
    }

    private void index(String kind, HasMetadata w) {
        WorkloadRef ref = Workloads.ref(kind, w);
        Map<String, String> annotations = w.getMetadata().getAnnotations() == null ? Map.of() : Map.copyOf(w.getMetadata().getAnnotations());
        String annotation = annotations.get(ImageTrigger.ANNOTATION);
        List<ImageTrigger> triggers = List.of();
        if (annotation != null) {
            try {
                triggers = ImageTrigger.parse(annotation);
            } catch (IllegalArgumentException e) {
                Log.warnf("%s %s: ignoring its image triggers: %s", kind, ref.key(), e.getMessage());
            }
        }
        byRef.put(ref, new WatchedWorkload(ref, triggers, Workloads.images(w), annotations));
    }

    /** The workload as the informer last saw it. */
    public java.util.Optional<WatchedWorkload> get(WorkloadRef ref) {
        return java.util.Optional.ofNullable(byRef.get(ref));
    }
}
