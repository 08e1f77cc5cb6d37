package dev.cascade.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every container of the base is one the "restricted" Pod Security Standard admits and the kubelet can look after:
 * health probes on Quarkus's endpoints, requests and limits, non-root without privileges, and a read-only root
 * filesystem with a writable volume wherever the service writes.
 */
class ContainerHardeningTests {

    private final RenderedBase base = RenderedBase.get();

    private Stream<Deployment> deployments() {
        List<Deployment> all = base.all(Deployment.class);
        assertThat(all).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(RenderedBase.SERVICES);
        return all.stream();
    }

    private static Stream<Container> containers(PodSpec pod) {
        return Stream.concat(pod.getContainers().stream(),
                pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream());
    }

    @Test
    void theServicesNamespaceEnforcesRestrictedAndTheBuildNamespaceBaseline() {
        assertThat(base.find(Namespace.class, null, "cascade").orElseThrow().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(base.find(Namespace.class, null, "cascade-builds").orElseThrow().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "baseline");
        deployments().forEach(d -> assertThat(d.getMetadata().getNamespace()).isEqualTo("cascade"));
    }

    @Test
    void everyContainerHasQuarkusHealthProbesOnAPortItServes() {
        deployments().forEach(d -> d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> {
            String who = d.getMetadata().getName() + "/" + c.getName();
            assertThat(path(c.getLivenessProbe(), c)).as("%s liveness probe", who).isEqualTo("/q/health/live");
            assertThat(path(c.getReadinessProbe(), c)).as("%s readiness probe", who).isEqualTo("/q/health/ready");
            // the JVM's start: liveness begins only once Quarkus has started
            assertThat(path(c.getStartupProbe(), c)).as("%s startup probe", who).isEqualTo("/q/health/started");
        }));
    }

    /** The probe's HTTP path, once its port is found among the container's. */
    private static String path(Probe probe, Container c) {
        assertThat(probe).as("%s probe", c.getName()).isNotNull();
        assertThat(probe.getHttpGet()).as("%s probe over HTTP", c.getName()).isNotNull();
        var port = probe.getHttpGet().getPort();
        List<ContainerPort> ports = c.getPorts() == null ? List.of() : c.getPorts();
        assertThat(ports).as("%s serves the probe's port %s", c.getName(), port)
                .anyMatch(p -> port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort()));
        return probe.getHttpGet().getPath();
    }

    @Test
    void everyContainerHasCpuAndMemoryRequestsAndLimits() {
        deployments().flatMap(d -> containers(d.getSpec().getTemplate().getSpec())).forEach(c -> {
            assertThat(c.getResources()).as(c.getName()).isNotNull();
            assertThat(c.getResources().getRequests()).as("%s requests", c.getName()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as("%s limits", c.getName()).containsKeys("memory", "cpu");
        });
    }

    @Test
    void everyContainerRunsAsNonRootWithoutPrivilegesOrCapabilities() {
        deployments().forEach(d -> {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            PodSecurityContext podContext = Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
            assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getVolumes()).noneMatch(v -> v.getHostPath() != null);
            containers(pod).forEach(c -> {
                String who = d.getMetadata().getName() + "/" + c.getName();
                SecurityContext sc = Optional.ofNullable(c.getSecurityContext()).orElseGet(SecurityContext::new);
                assertThat(first(sc.getRunAsNonRoot(), podContext.getRunAsNonRoot())).as("%s runAsNonRoot", who).isTrue();
                // the images (Dockerfile) name no user: the pod gives one, or the kubelet cannot verify non-root
                assertThat(first(sc.getRunAsUser(), podContext.getRunAsUser())).as("%s runAsUser", who).isNotNull().isPositive();
                assertThat(sc.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", who).isFalse();
                assertThat(sc.getPrivileged()).as("%s privileged", who).isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getCapabilities()).as("%s capabilities", who).isNotNull();
                assertThat(sc.getCapabilities().getDrop()).as("%s drops", who).contains("ALL");
                assertThat(sc.getCapabilities().getAdd()).as("%s adds", who).isNullOrEmpty();
                var seccomp = first(sc.getSeccompProfile(), podContext.getSeccompProfile());
                assertThat(seccomp).as("%s seccomp profile", who).isNotNull();
                assertThat(seccomp.getType()).as("%s seccomp profile", who).isEqualTo("RuntimeDefault");
            });
        });
    }

    /**
     * The root filesystem is read-only; /tmp (the JVM's and Vert.x's scratch files, and the default of every path
     * setting) is an emptyDir, and so is every directory a {@code *_DIR} setting points the service at.
     */
    @Test
    void everyContainerHasAReadOnlyRootAndAWritableVolumeWhereverItWrites() {
        deployments().forEach(d -> {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Map<String, Volume> volumes = pod.getVolumes().stream().collect(java.util.stream.Collectors.toMap(Volume::getName, v -> v));
            pod.getContainers().forEach(c -> {
                String who = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", who).isTrue();
                assertThat(writableMount(c, volumes, "/tmp")).as("%s writable /tmp", who).isPresent();
                assertThat(volumes.get(writableMount(c, volumes, "/tmp").get().getName()).getEmptyDir()).as("%s /tmp", who).isNotNull();
                ContainerEnv env = ContainerEnv.of(base, d.getMetadata().getNamespace(), c);
                env.variables.forEach((name, source) -> {
                    if (name.startsWith("CASCADE_") && name.endsWith("_DIR")) {
                        assertThat(source.value()).as("%s %s", who, name).startsWith("/");
                        assertThat(writableMount(c, volumes, source.value())).as("%s: %s=%s is on a writable volume", who, name, source.value()).isPresent();
                    }
                });
            });
        });
        var logDir = ContainerEnv.of(base, "cascade", base.container("build-service")).variables.get("CASCADE_BUILD_LOG_DIR");
        assertThat(logDir).as("build-service's live build logs are on a volume of their own").isNotNull();
    }

    /** The writable volume mount that holds {@code path}, the deepest one if mounts nest. */
    private static Optional<VolumeMount> writableMount(Container c, Map<String, Volume> volumes, String path) {
        Path p = Path.of(path).normalize();
        return c.getVolumeMounts() == null ? Optional.empty() : c.getVolumeMounts().stream()
                .filter(m -> p.startsWith(Path.of(m.getMountPath())) && !Boolean.TRUE.equals(m.getReadOnly()))
                .filter(m -> volumes.containsKey(m.getName()) && volumes.get(m.getName()).getEmptyDir() != null)
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
    }

    @Test
    void everyImageIsTaggedOrPinnedAndNeverLatest() {
        deployments().flatMap(d -> containers(d.getSpec().getTemplate().getSpec())).forEach(c -> {
            String image = c.getImage();
            String lastPart = image.substring(image.lastIndexOf('/') + 1);
            assertThat(image.contains("@sha256:") || lastPart.contains(":")).as("%s names a tag or digest", image).isTrue();
            assertThat(image).as(c.getName()).doesNotEndWith(":latest");
        });
    }

    /** The container's own setting, else the pod's. */
    private static <T> T first(T container, T pod) {
        return container != null ? container : pod;
    }
}
