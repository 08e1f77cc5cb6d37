package dev.cascade.deploy.target;

import dev.cascade.deploy.kube.WorkloadChanged;
import dev.cascade.deploy.kube.WorkloadInformers;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.Workloads;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workloads in the watched namespaces and the images they follow by the {@code cascade.dev/image-triggers}
 * annotation, kept current from the informers' {@link WorkloadChanged} events.
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

    private final WorkloadInformers informers;
    private final Map<WorkloadRef, WatchedWorkload> byRef = new ConcurrentHashMap<>();

    public TargetIndex(WorkloadInformers informers) {
        this.informers = informers;
    }

    public boolean watches(String namespace) {
        return informers.watches(namespace);
    }

    public Set<String> namespaces() {
        return informers.namespaces();
    }

    public List<WatchedWorkload> all() {
        return List.copyOf(byRef.values());
    }

    /** The workload as the informer last saw it. */
    public Optional<WatchedWorkload> get(WorkloadRef ref) {
        return Optional.ofNullable(byRef.get(ref));
    }

    void changed(@Observes WorkloadChanged change) {
        if (change.deleted()) {
            byRef.remove(change.ref());
            return;
        }
        var w = change.workload();
        Map<String, String> annotations = w.getMetadata().getAnnotations() == null ? Map.of() : Map.copyOf(w.getMetadata().getAnnotations());
        String annotation = annotations.get(ImageTrigger.ANNOTATION);
        List<ImageTrigger> triggers = List.of();
        if (annotation != null) {
            try {
                triggers = ImageTrigger.parse(annotation);
            } catch (IllegalArgumentException e) {
                Log.warnf("%s %s: ignoring its image triggers: %s", change.ref().kind(), change.ref().key(), e.getMessage());
            }
        }
        byRef.put(change.ref(), new WatchedWorkload(change.ref(), triggers, Workloads.images(w), annotations));
    }
}
