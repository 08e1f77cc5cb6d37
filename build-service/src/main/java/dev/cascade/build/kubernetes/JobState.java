package dev.cascade.build.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads a build Job's and its pod's state as the Job controller and the kubelet report it. */
final class JobState {

    private JobState() {
    }

    /** The Job has finished: its Complete or Failed condition is true. */
    static boolean finished(Job job) {
        return succeeded(job) || condition(job, "Failed").isPresent();
    }

    static boolean succeeded(Job job) {
        return condition(job, "Complete").isPresent();
    }

    static String failureReason(Job job) {
        return condition(job, "Failed").map(JobCondition::getReason).orElse("");
    }

    static String failureMessage(Job job) {
        return condition(job, "Failed").map(JobCondition::getMessage).orElse("");
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    /** The pod has ended: Succeeded or Failed. */
    static boolean podOver(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** The container runs or has run, so it has a log. */
    static boolean started(Pod pod, String container) {
        return status(pod, container)
                .map(s -> s.getState() != null && (s.getState().getRunning() != null || s.getState().getTerminated() != null))
                .orElse(false);
    }

    static Optional<ContainerStateTerminated> terminated(Pod pod, String container) {
        return status(pod, container).map(s -> s.getState() == null ? null : s.getState().getTerminated());
    }

    /**
     * Why the pod's build failed, from the first container that failed: its termination message's {@code failure}
     * (what {@code cascade-build-step} reports), or its exit code and the log's last line the kubelet gave instead.
     */
    static Optional<String> containerFailure(Pod pod, ObjectMapper json) {
        for (String name : BuildJobManifest.CONTAINERS) {
            Optional<ContainerStateTerminated> t = terminated(pod, name);
            if (t.isPresent() && t.get().getExitCode() != null && t.get().getExitCode() != 0) {
                String message = t.get().getMessage() == null ? "" : t.get().getMessage().strip();
                try {
                    JsonNode reported = json.readTree(message);
                    if (reported != null && reported.hasNonNull("failure")) {
                        return Optional.of(reported.get("failure").asText());
                    }
                } catch (IOException notJson) {
                    // the kubelet's fallback: the end of the log
                }
                String[] lines = message.split("\n");
                return Optional.of("the " + name + " container failed (exit " + t.get().getExitCode()
                        + (t.get().getReason() == null ? "" : ", " + t.get().getReason()) + ")"
                        + (message.isEmpty() ? "" : ": " + lines[lines.length - 1]));
            }
        }
        // a container that could not even be created (a missing Secret, say) never terminates: its waiting reason says why
        return waitingReason(pod);
    }

    /** Why a container of the pod still waits (an image that cannot be pulled), when it says. */
    static Optional<String> waitingReason(Pod pod) {
        for (String name : BuildJobManifest.CONTAINERS) {
            Optional<ContainerStateWaiting> w = status(pod, name).map(s -> s.getState() == null ? null : s.getState().getWaiting());
            if (w.isPresent() && w.get().getMessage() != null && !w.get().getMessage().isBlank()) {
                return Optional.of("the " + name + " container could not start: " + w.get().getReason() + ": " + w.get().getMessage());
            }
        }
        return Optional.empty();
    }

    /** A container's status by its name, among the init containers' and the containers' (names are unique in a pod). */
    private static Optional<ContainerStatus> status(Pod pod, String container) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        return Stream.of(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
                .filter(Objects::nonNull).flatMap(List::stream)
                .filter(s -> container.equals(s.getName())).findFirst();
    }
}
