package dev.cascade.deploy.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes access for rollouts, the same for the three kinds of workload: read their state, set a
 * container's image, and run hook Jobs. Blocking (the fabric8 client): call it from a worker thread.
 */
@ApplicationScoped
public class Workloads {

    public static final List<String> KINDS = List.of("Deployment", "StatefulSet", "DaemonSet");

    private final KubernetesClient client;

    public Workloads(KubernetesClient client) {
        this.client = client;
    }

    /** The workload as the API server has it now. */
    public Optional<WorkloadView> get(WorkloadRef ref) {
        return Optional.ofNullable(resource(ref).get()).map(Workloads::view);
    }

    /** Sets one container's image; returns the generation the workload had before (the change makes a newer one). */
    public long setImage(WorkloadRef ref, String container, String image) {
        long before = generation(ref);
        resource(ref).edit(w -> {
            Container c = template(w).getSpec().getContainers().stream().filter(x -> x.getName().equals(container)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(ref.kind() + " " + ref.namespace() + "/" + ref.name()
                            + " has no container " + container));
            c.setImage(image);
            return w;
        });
        return before;
    }

    /** Current generation (0 when the server set none). */
    public long generation(WorkloadRef ref) {
        HasMetadata w = resource(ref).get();
        return w == null || w.getMetadata().getGeneration() == null ? 0 : w.getMetadata().getGeneration();
    }

    /** Starts a hook Job of {@code workload} running {@code command} in {@code image}; returns the Job's name. */
    public String startHook(WorkloadRef workload, String phase, String image, List<String> command, String rolloutId) {
        String namespace = workload.namespace();
        String name = (workload.name() + "-" + phase + "-" + rolloutId.substring(0, 8)).toLowerCase();
        Job job = new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(WorkloadInformers.MANAGED_BY, "cascade")
                .addToLabels(WorkloadInformers.ROLLOUT_LABEL, rolloutId)
                .endMetadata()
                .withNewSpec().withBackoffLimit(0).withTtlSecondsAfterFinished(3600)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName(phase).withImage(image).withCommand(command).endContainer()
                .endSpec().endTemplate().endSpec()
                .build();
        client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        return name;
    }

    public HookState hookState(String namespace, String job) {
        Job j = client.batch().v1().jobs().inNamespace(namespace).withName(job).get();
        if (j == null || j.getStatus() == null) {
            return HookState.RUNNING;
        }
        if (j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0) {
            return HookState.SUCCEEDED;
        }
        if (j.getStatus().getFailed() != null && j.getStatus().getFailed() > 0) {
            return HookState.FAILED;
        }
        return HookState.RUNNING;
    }

    /** The output of a hook Job's pods (found by the {@code job-name} label the Job controller sets). */
    public String hookLog(String namespace, String job) {
        StringBuilder out = new StringBuilder();
        try {
            for (var pod : client.pods().inNamespace(namespace).withLabel("job-name", job).list().getItems()) {
                out.append(client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog());
            }
        } catch (RuntimeException e) {
            out.append("(log unavailable: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Resource<HasMetadata> resource(WorkloadRef ref) {
        String namespace = ref.namespace();
        String name = ref.name();
        return (Resource) switch (ref.kind()) {
            case "Deployment" -> client.apps().deployments().inNamespace(namespace).withName(name);
            case "StatefulSet" -> client.apps().statefulSets().inNamespace(namespace).withName(name);
            case "DaemonSet" -> client.apps().daemonSets().inNamespace(namespace).withName(name);
            default -> throw new IllegalArgumentException("kind must be Deployment, StatefulSet or DaemonSet, not " + ref.kind());
        };
    }

    static PodTemplateSpec template(HasMetadata w) {
        if (w instanceof Deployment d) {
            return d.getSpec().getTemplate();
        }
        if (w instanceof StatefulSet s) {
            return s.getSpec().getTemplate();
        }
        if (w instanceof DaemonSet ds) {
            return ds.getSpec().getTemplate();
        }
        throw new IllegalArgumentException("not a workload: " + w.getKind());
    }

    /** Container name to image of a workload's pod template. */
    public static Map<String, String> images(HasMetadata w) {
        Map<String, String> images = new LinkedHashMap<>();
        template(w).getSpec().getContainers().forEach(c -> images.put(c.getName(), c.getImage()));
        return images;
    }

    /** What a rollout follows of a Deployment, StatefulSet or DaemonSet. */
    public static WorkloadView view(HasMetadata w) {
        if (w instanceof Deployment d) {
            return view(d);
        }
        if (w instanceof StatefulSet s) {
            return view(s);
        }
        if (w instanceof DaemonSet ds) {
            return view(ds);
        }
        throw new IllegalArgumentException("not a workload: " + w.getKind());
    }

    static WorkloadView view(Deployment d) {
        var s = d.getStatus();
        String failed = s == null || s.getConditions() == null ? null : s.getConditions().stream()
                .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus()))
                .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage())).findFirst().orElse(null);
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        return new WorkloadView(ref("Deployment", d), gen(d),
                s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), desired,
                s == null ? 0 : n(s.getUpdatedReplicas()), s == null ? 0 : n(s.getReadyReplicas()), s == null ? 0 : n(s.getAvailableReplicas()),
                failed, images(d), annotations(d));
    }

    static WorkloadView view(StatefulSet st) {
        var s = st.getStatus();
        int desired = st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
        return new WorkloadView(ref("StatefulSet", st), gen(st),
                s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), desired,
                s == null ? 0 : n(s.getUpdatedReplicas()), s == null ? 0 : n(s.getReadyReplicas()), s == null ? 0 : n(s.getAvailableReplicas()),
                null, images(st), annotations(st));
    }

    static WorkloadView view(DaemonSet ds) {
        var s = ds.getStatus();
        int desired = s == null ? 0 : n(s.getDesiredNumberScheduled());
        return new WorkloadView(ref("DaemonSet", ds), gen(ds),
                s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(), desired,
                s == null ? 0 : n(s.getUpdatedNumberScheduled()), s == null ? 0 : n(s.getNumberReady()), s == null ? 0 : n(s.getNumberAvailable()),
                null, images(ds), annotations(ds));
    }

    /** The reference of a workload of this kind. */
    public static WorkloadRef ref(String kind, HasMetadata w) {
        return new WorkloadRef(w.getMetadata().getNamespace(), kind, w.getMetadata().getName());
    }

    private static long gen(HasMetadata w) {
        return w.getMetadata().getGeneration() == null ? 0 : w.getMetadata().getGeneration();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static Map<String, String> annotations(HasMetadata w) {
        return w.getMetadata().getAnnotations() == null ? Map.of() : w.getMetadata().getAnnotations();
    }
}
