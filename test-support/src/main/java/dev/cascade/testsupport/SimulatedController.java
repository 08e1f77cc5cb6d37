package dev.cascade.testsupport;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small deployment controller for the Kubernetes mock server, doing what the API server and the
 * controllers of a real cluster would: the mock server gives a changed spec a new {@code metadata.generation};
 * the controller then reports {@code observedGeneration}, replica counts and the Progressing condition, and
 * finishes hook Jobs. Images listed as stuck never become available and hit ProgressDeadlineExceeded;
 * held images, and any new template of a held workload, stay in progress until released; hook commands
 * containing "fail" fail.
 *
 * <p>On a {@link dev.cascade.testsupport.kube.LocalCluster}, give it namespaces the cluster does not run
 * ({@code exceptNamespaces}), so that the cluster's own Job controller and kubelet leave its Jobs alone.
 */
public final class SimulatedController implements AutoCloseable {

    private final KubernetesClient client;
    private final List<SharedIndexInformer<?>> informers;
    private final Map<String, String> seenTemplates = new ConcurrentHashMap<>();
    public final Set<String> stuckImages = ConcurrentHashMap.newKeySet();
    public final Set<String> heldImages = ConcurrentHashMap.newKeySet();
    /** Deployments ({@code namespace/name}) whose new templates stay in progress until {@link #releaseWorkload}. */
    public final Set<String> heldWorkloads = ConcurrentHashMap.newKeySet();

    /** Serves a pod's log (namespace/pod, text) from the mock server. */
    private final java.util.function.BiConsumer<String, String> logs;

    public SimulatedController(KubernetesClient client, java.util.function.BiConsumer<String, String> logs, String... namespaces) {
        this.client = client;
        this.logs = logs;
        this.informers = new java.util.ArrayList<>();
        // informers list what exists before they watch, so nothing created meanwhile is missed
        for (String ns : namespaces) {
            informers.add(client.apps().deployments().inNamespace(ns).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Deployment d) {
                    reconcile(d);
                }

                @Override
                public void onUpdate(Deployment old, Deployment d) {
                    reconcile(d);
                }

                @Override
                public void onDelete(Deployment d, boolean unknown) {
                }
            }, 0));
            informers.add(client.batch().v1().jobs().inNamespace(ns).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Job job) {
                    finish(job);
                }

                @Override
                public void onUpdate(Job old, Job job) {
                }

                @Override
                public void onDelete(Job job, boolean unknown) {
                }
            }, 0));
        }
    }

    private synchronized void reconcile(Deployment d) {
        String key = d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
        String template = d.getSpec().getTemplate().toString();
        if (template.equals(seenTemplates.get(key))) {
            return;
        }
        seenTemplates.put(key, template);
        // the mock server, like an API server, gives every change of the spec a new generation
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        Deployment bumped = d;
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        if (heldImages.contains(image) || heldWorkloads.contains(key)) {
            return;
        }
        report(bumped, generation, image);
    }

    /** Lets a held image finish rolling out. */
    public synchronized void release(String namespace, String name, String image) {
        heldImages.remove(image);
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        String current = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        if (current.equals(image)) {
            report(d, d.getMetadata().getGeneration(), image);
        }
    }

    /** Lets a held workload finish rolling out whatever its template holds now. */
    public synchronized void releaseWorkload(String namespace, String name) {
        heldWorkloads.remove(namespace + "/" + name);
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        report(d, d.getMetadata().getGeneration(), d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    /**
     * Reports one replica of the Deployment's current template unavailable, as a cluster does when one of its pods
     * crashes or fails its readiness probe after the rollout had succeeded.
     */
    public synchronized void degrade(String namespace, String name) {
        client.apps().deployments().inNamespace(namespace).withName(name).editStatus(x -> {
            int replicas = x.getSpec().getReplicas() == null ? 1 : x.getSpec().getReplicas();
            x.getStatus().setReadyReplicas(replicas - 1);
            x.getStatus().setAvailableReplicas(replicas - 1);
            return x;
        });
    }

    private void report(Deployment d, long generation, String image) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        boolean stuck = stuckImages.contains(image);
        DeploymentCondition progressing = stuck
                ? new DeploymentConditionBuilder().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                        .withMessage("ReplicaSet has timed out progressing.").build()
                : new DeploymentConditionBuilder().withType("Progressing").withStatus("True").withReason("NewReplicaSetAvailable").build();
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
                .editStatus(x -> {
                    x.setStatus(new DeploymentStatusBuilder()
                            .withObservedGeneration(generation)
                            .withReplicas(replicas)
                            .withUpdatedReplicas(stuck ? 1 : replicas)
                            .withReadyReplicas(stuck ? replicas - 1 : replicas)
                            .withAvailableReplicas(stuck ? replicas - 1 : replicas)
                            .withConditions(progressing)
                            .build());
                    return x;
                });
    }

    private synchronized void finish(Job job) {
        if (job.getStatus() != null && (job.getStatus().getSucceeded() != null || job.getStatus().getFailed() != null)) {
            return;
        }
        if (client.pods().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName() + "-pod").get() != null) {
            return; // finished already (informers of earlier tests may still deliver)
        }
        List<String> command = job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
        boolean fails = command.stream().anyMatch(c -> c.contains("fail"));
        // the Job's pod, labelled as the Job controller labels it, with the output the hook printed
        String ns = job.getMetadata().getNamespace();
        String pod = job.getMetadata().getName() + "-pod";
        client.pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(pod).withNamespace(ns).addToLabels("job-name", job.getMetadata().getName()).endMetadata()
                .build()).create();
        logs.accept(ns + "/" + pod, String.join(" ", command) + (fails ? "\nerror: migration 0042 failed\n" : "\nok\n"));
        client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                .editStatus(x -> {
                    x.setStatus(fails ? new JobStatusBuilder().withFailed(1).build() : new JobStatusBuilder().withSucceeded(1).build());
                    return x;
                });
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
    }
}
