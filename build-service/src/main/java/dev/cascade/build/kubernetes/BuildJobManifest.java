package dev.cascade.build.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.buildstep.BuildJob;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code batch/v1} Job of one build. Its init container {@value #FETCH} checks out the build's commit into the
 * shared {@code emptyDir} workspace; its container {@value #BUILD} builds and pushes with buildah and reports the pushed
 * digest as its termination message. Both run {@code cascade-build-step} from the pinned builder image.
 *
 * <p>Privileges: {@value #FETCH} runs as a non-root user with every capability dropped and a read-only root
 * filesystem (Pod Security Standard "restricted"). {@value #BUILD} runs buildah as root, because unpacking image layers
 * that belong to many users into vfs storage needs {@code CHOWN}, {@code FOWNER}, {@code SETUID}/{@code SETGID} and
 * {@code SETFCAP}, and chroot isolation needs {@code SYS_CHROOT}. Every one of these is in the "baseline" level's
 * allowed list, and nothing beyond that level is asked for: no privileged mode, no host paths, no host namespaces. So the
 * build namespace must allow "baseline". With {@link JobSettings#podUserNamespace()} the pod runs in a user
 * namespace of its own, and its root is an unprivileged user on the node.
 */
public final class BuildJobManifest {

    public static final String FETCH = "fetch";
    public static final String BUILD = "build";
    /** The pod's containers in the order they run: the init container, then the build. */
    static final List<String> CONTAINERS = List.of(FETCH, BUILD);

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "cascade-build-service";
    public static final String BUILD_LABEL = "cascade.dev/build";
    public static final String CONFIG_LABEL = "cascade.dev/config";
    public static final String PIPELINE_LABEL = "cascade.dev/pipeline";
    /** Set on a Job just before Cascade deletes it to cancel its build. */
    public static final String CANCELLED_ANNOTATION = "cascade.dev/cancelled";

    static final String WORKSPACE = "/cascade/workspace";
    static final String STORAGE = "/cascade/storage";
    static final String REGISTRY_AUTH = "/cascade/registry-auth";
    static final String TERMINATION_MESSAGE = "/dev/termination-log";

    private static final List<String> BUILD_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETFCAP", "SYS_CHROOT");

    private BuildJobManifest() {
    }

    /** The Job of a build: one name per build, so a second create of it is refused and the first is followed instead. */
    public static String name(UUID buildId) {
        return "cascade-build-" + buildId;
    }

    static Job job(BuildJob build, String namespace, String builderImage, JobSettings jobs, ExecutorSettings executor,
                   String registryAliases, ObjectMapper json) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "cascade-build");
        labels.put(MANAGED_BY, MANAGER);
        labels.put(BUILD_LABEL, build.buildId().toString());
        labels.put(CONFIG_LABEL, build.config());
        if (build.pipelineId() != null) {
            labels.put(PIPELINE_LABEL, build.pipelineId().toString());
        }
        String jobJson;
        try {
            jobJson = json.writeValueAsString(build);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        List<EnvVar> common = new ArrayList<>(List.of(
                env("CASCADE_BUILD_JOB", jobJson),
                env("CASCADE_WORKSPACE", WORKSPACE),
                env("CASCADE_TERMINATION_MESSAGE", TERMINATION_MESSAGE),
                env("CASCADE_REGISTRY_ALIASES", registryAliases),
                env("HOME", WORKSPACE + "/.home")));
        List<EnvVar> buildEnv = new ArrayList<>(common);
        buildEnv.addAll(List.of(
                env("CASCADE_STORAGE_ROOT", STORAGE),
                env("CASCADE_INSECURE_REGISTRIES", executor.insecureRegistries()),
                env("CASCADE_PUSH_ATTEMPTS", Integer.toString(executor.pushAttempts())),
                env("BUILDAH_ISOLATION", "chroot"),
                env("STORAGE_DRIVER", "vfs"),
                env("TMPDIR", STORAGE + "/tmp")));
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName("workspace").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder().withName("storage").withNewEmptyDir().endEmptyDir().build()));
        List<VolumeMount> buildMounts = new ArrayList<>(List.of(mount("workspace", WORKSPACE, false), mount("storage", STORAGE, false)));
        jobs.registrySecret().ifPresent(secret -> {
            volumes.add(new VolumeBuilder().withName("registry-auth").withNewSecret().withSecretName(secret).endSecret().build());
            buildMounts.add(mount("registry-auth", REGISTRY_AUTH, true));
            buildEnv.add(env("REGISTRY_AUTH_FILE", REGISTRY_AUTH + "/.dockerconfigjson"));
        });

        Container fetch = container(FETCH, builderImage, jobs, common, List.of(mount("workspace", WORKSPACE, false)),
                new SecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(1000L).withRunAsGroup(1000L)
                        .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build());
        Container buildah = container(BUILD, builderImage, jobs, buildEnv, buildMounts,
                new SecurityContextBuilder().withRunAsUser(0L).withRunAsNonRoot(false).withAllowPrivilegeEscalation(false)
                        .withNewCapabilities().withDrop("ALL").withAdd(BUILD_CAPABILITIES).endCapabilities()
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build());

        return new JobBuilder()
                .withNewMetadata()
                    .withName(name(build.buildId())).withNamespace(namespace).withLabels(labels)
                    .addToAnnotations("cascade.dev/revision", build.revision())
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(build.timeoutSeconds())
                    .withTtlSecondsAfterFinished((int) jobs.jobTtl().toSeconds())
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withHostUsers(jobs.podUserNamespace() ? false : null)
                            .withTerminationGracePeriodSeconds(10L)
                            .withVolumes(volumes)
                            .withInitContainers(fetch)
                            .withContainers(buildah)
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private static Container container(String name, String image, JobSettings jobs, List<EnvVar> env, List<VolumeMount> mounts,
                                       SecurityContext security) {
        return new ContainerBuilder()
                .withName(name)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("cascade-build-step", name)
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withTerminationMessagePath(TERMINATION_MESSAGE)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity(jobs.podCpu()))
                        .addToRequests("memory", new Quantity(jobs.podMemory()))
                        .addToLimits("memory", new Quantity(jobs.podMemory()))
                        .build())
                .withSecurityContext(security)
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static VolumeMount mount(String volume, String path, boolean readOnly) {
        VolumeMount m = new VolumeMount();
        m.setName(volume);
        m.setMountPath(path);
        m.setReadOnly(readOnly);
        return m;
    }
}
