package dev.cascade.build.kubernetes;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.kube.LocalCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real registry and a local cluster (the Kubernetes mock server with a Job controller and a kubelet that runs build
 * pods' command lines on this machine), and build-service configured to run its builds there as Jobs. The builder
 * image is not pulled: its {@code cascade-build-step} command is the one this build made
 * ({@code build-step/target/cascade-build-step/bin}), first on the pods' PATH, beside the machine's git and buildah.
 */
public class KubernetesBuildsResource implements QuarkusTestResourceLifecycleManager {

    static final String NAMESPACE = "cascade-builds";
    static final String BUILDER = "registry.example/cascade/builder@sha256:" + "b".repeat(64);

    private static LocalCluster cluster;
    private static LocalRegistry registry;
    private static Path work;

    static LocalCluster cluster() {
        return cluster;
    }

    static LocalRegistry registry() {
        return registry;
    }

    static Path work() {
        return work;
    }

    @Override
    public Map<String, String> start() {
        try {
            work = Files.createTempDirectory("kubernetes-builds");
            Path buildStep = Path.of("..", "build-step", "target", "cascade-build-step", "bin").toAbsolutePath().normalize();
            if (!Files.isExecutable(buildStep.resolve("cascade-build-step"))) {
                throw new IllegalStateException("no " + buildStep.resolve("cascade-build-step") + ": build the build-step module first (mvn -pl build-service -am)");
            }
            registry = LocalRegistry.start(work.resolve("registry"), null, null);
            new Buildah(work.resolve("buildah")).pushBusybox(registry.host() + "/tools/busybox:1");
            cluster = LocalCluster.start(work.resolve("cluster"), buildStep);
            return Map.of(
                    "cascade.build.executor", "kubernetes",
                    "quarkus.kubernetes-client.api-server-url", cluster.url(),
                    "quarkus.kubernetes-client.namespace", "default",
                    "cascade.build.namespace", NAMESPACE,
                    "cascade.build.builder-image", BUILDER);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
