package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Job controller, the TTL-after-finished controller and the garbage collector of a cluster, for
 * {@code batch/v1} Jobs in the namespaces it is given: a Job gets a pod made from its template (named, labelled and
 * owned as the real controller does), a new one for each failure while failures stay within {@code backoffLimit}
 * (at once: the real controller waits 10 s, 20 s, ... first), and its status and conditions follow its pods;
 * {@code activeDeadlineSeconds} and {@code ttlSecondsAfterFinished} are honoured; deleting a Job, with any
 * propagation policy, deletes its pods. Each Job is reconciled from what the API server holds, one at a time.
 */
final class JobController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobController.class.getName());
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KubernetesClient client;
    private final Predicate<String> namespaces;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(LocalKubelet.daemon("job-controller"));
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Set<String> expiring = ConcurrentHashMap.newKeySet();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private volatile boolean closed;

    JobController(KubernetesClient client, Predicate<String> namespaces) {
        this.client = client;
        this.namespaces = namespaces;
        informers.add(client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueue(job.getMetadata().getNamespace(), job.getMetadata().getName(), 0);
            }

            @Override
            public void onUpdate(Job old, Job job) {
                enqueue(job.getMetadata().getNamespace(), job.getMetadata().getName(), 0);
            }

            @Override
            public void onDelete(Job job, boolean unknown) {
                if (namespaces.test(job.getMetadata().getNamespace())) {
                    worker.execute(() -> collect(job));
                }
            }
        }, 0));
        informers.add(client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                owner(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                owner(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                owner(pod);
            }
        }, 0));
    }

    private void owner(Pod pod) {
        for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
            if ("Job".equals(ref.getKind()) && Boolean.TRUE.equals(ref.getController())) {
                enqueue(pod.getMetadata().getNamespace(), ref.getName(), 0);
            }
        }
    }

    private void enqueue(String namespace, String name, long delayMillis) {
        if (closed || !namespaces.test(namespace)) {
            return;
        }
        String key = namespace + "/" + name;
        if (delayMillis > 0) {
            worker.schedule(() -> enqueue(namespace, name, 0), delayMillis, TimeUnit.MILLISECONDS);
        } else if (queued.add(key)) {
            worker.execute(() -> {
                queued.remove(key);
                try {
                    sync(namespace, name);
                } catch (KubernetesClientException e) {
                    if (!closed) {
                        LOG.log(Level.FINE, "Job " + key + " not reconciled, trying again", e);
                        enqueue(namespace, name, 200);
                    }
                }
            });
        }
    }

    /** Brings one Job's pods and status in line with its spec. */
    private void sync(String namespace, String name) {
        Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (job == null) {
            return;
        }
        JobStatus old = job.getStatus() == null ? new JobStatus() : job.getStatus();
        if (finished(old)) {
            expireLater(job, old);
            return;
        }
        JobStatus status = client.getKubernetesSerialization().clone(old);
        Instant now = Instant.now();
        if (status.getStartTime() == null) {
            status.setStartTime(ContainerRun.time(now));
        }
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel("controller-uid", job.getMetadata().getUid()).list().getItems();
        List<Pod> active = pods.stream().filter(p -> !ended(p) && p.getMetadata().getDeletionTimestamp() == null).toList();
        int succeeded = (int) pods.stream().filter(p -> "Succeeded".equals(phase(p))).count();
        int failed = (int) pods.stream().filter(p -> "Failed".equals(phase(p))).count();
        int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
        int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
        int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        Long deadline = job.getSpec().getActiveDeadlineSeconds();
        Instant started = Instant.parse(status.getStartTime());
        status.setSucceeded(Math.max(succeeded, orZero(old.getSucceeded())));
        status.setFailed(Math.max(failed, orZero(old.getFailed())));
        if (deadline != null && !now.isBefore(started.plusSeconds(deadline))) {
            status.setFailed(status.getFailed() + active.size());
            deletePods(active);
            finish(status, now, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
        } else if (status.getSucceeded() >= completions) {
            deletePods(active);
            status.setCompletionTime(ContainerRun.time(now));
            finish(status, now, "Complete", null, null);
        } else if (status.getFailed() > backoffLimit) {
            deletePods(active);
            finish(status, now, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        } else {
            int wanted = Math.min(parallelism, completions - status.getSucceeded());
            for (int i = active.size(); i < wanted; i++) {
                createPod(job);
            }
            status.setActive(Math.max(wanted, active.size()));
            status.setReady((int) active.stream().filter(JobController::ready).count());
            if (deadline != null) {
                enqueue(namespace, name, Duration.between(now, started.plusSeconds(deadline)).toMillis() + 1);
            }
        }
        if (!Objects.equals(old, status)) {
            client.batch().v1().jobs().inNamespace(namespace).withName(name).editStatus(j -> {
                j.setStatus(status);
                return j;
            });
        }
        if (finished(status)) {
            expireLater(job, status);
        }
    }

    /** The conditions the real controller sets: the success or failure target first, then the final one. */
    private static void finish(JobStatus status, Instant now, String type, String reason, String message) {
        status.setActive(0);
        status.setReady(0);
        String time = ContainerRun.time(now);
        List<JobCondition> conditions = new ArrayList<>(status.getConditions());
        String target = type.equals("Complete") ? "SuccessCriteriaMet" : "FailureTarget";
        for (String t : List.of(target, type)) {
            conditions.add(new JobConditionBuilder().withType(t).withStatus("True").withReason(reason).withMessage(message)
                    .withLastProbeTime(time).withLastTransitionTime(time).build());
        }
        status.setConditions(conditions);
    }

    private void createPod(Job job) {
        String name = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put("batch.kubernetes.io/job-name", name);
        labels.put("job-name", name);
        labels.put("batch.kubernetes.io/controller-uid", uid);
        labels.put("controller-uid", uid);
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            suffix.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
        }
        Pod pod = new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name + "-" + suffix).withGenerateName(name + "-").withNamespace(job.getMetadata().getNamespace())
                        .withLabels(labels)
                        .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(name)
                                .withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
                        .build())
                .withSpec(template.getSpec())
                .build();
        client.pods().inNamespace(job.getMetadata().getNamespace()).resource(pod).create();
    }

    /** The TTL-after-finished controller: deletes a finished Job once its time is up. */
    private void expireLater(Job job, JobStatus status) {
        Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
        if (ttl == null || !expiring.add(job.getMetadata().getUid())) {
            return;
        }
        String finishedAt = status.getConditions().stream().filter(c -> "True".equals(c.getStatus())
                && (c.getType().equals("Complete") || c.getType().equals("Failed"))).map(JobCondition::getLastTransitionTime)
                .findFirst().orElse(ContainerRun.time(Instant.now()));
        long wait = Duration.between(Instant.now(), Instant.parse(finishedAt).plusSeconds(ttl)).toMillis();
        String ns = job.getMetadata().getNamespace();
        String uid = job.getMetadata().getUid();
        worker.schedule(() -> {
            try {
                Job now = client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get();
                if (now != null && uid.equals(now.getMetadata().getUid())) {
                    client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).delete();
                }
            } catch (KubernetesClientException e) {
                if (!closed) {
                    worker.schedule(() -> {
                        expiring.remove(uid);
                        expireLater(job, status);
                    }, 200, TimeUnit.MILLISECONDS);
                }
            }
        }, Math.max(0, wait), TimeUnit.MILLISECONDS);
    }

    /** The garbage collector: a deleted Job's pods go too. */
    private void collect(Job job) {
        try {
            List<Pod> owned = client.pods().inNamespace(job.getMetadata().getNamespace()).list().getItems().stream()
                    .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(r -> job.getMetadata().getUid().equals(r.getUid())))
                    .toList();
            deletePods(owned);
        } catch (KubernetesClientException e) {
            if (!closed) {
                worker.schedule(() -> collect(job), 200, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void deletePods(List<Pod> pods) {
        for (Pod p : pods) {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
        }
    }

    static boolean finished(JobStatus status) {
        return status.getConditions().stream().anyMatch(c -> "True".equals(c.getStatus())
                && (c.getType().equals("Complete") || c.getType().equals("Failed")));
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    private static boolean ended(Pod p) {
        return "Succeeded".equals(phase(p)) || "Failed".equals(phase(p));
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::close);
        worker.shutdownNow();
    }
}
