package dev.cascade.install;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * deploy/kubernetes as {@code kubectl kustomize} renders it, loaded with the fabric8 client: built-in kinds as their
 * model classes, the operators' kinds (Strimzi, CloudNativePG) as {@link GenericKubernetesResource}. Rendered once
 * per test run.
 */
final class RenderedBase {

    /** The three services: name of the Deployment, and of the directory of their module. */
    static final List<String> SERVICES = List.of("trigger-service", "build-service", "deploy-service");

    private static RenderedBase rendered;

    final List<HasMetadata> resources;

    private RenderedBase(List<HasMetadata> resources) {
        this.resources = resources;
    }

    static synchronized RenderedBase get() {
        if (rendered == null) {
            rendered = new RenderedBase(load(render(root().resolve("deploy/kubernetes"))));
        }
        return rendered;
    }

    /** The repository's root directory. */
    static Path root() {
        return Path.of(System.getProperty("cascade.root", "..")).toAbsolutePath().normalize();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<GenericKubernetesResource> all(String apiGroup, String kind) {
        return all(GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals(kind) && r.getApiVersion().startsWith(apiGroup + "/")).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(r -> name.equals(r.getMetadata().getName())
                && (namespace == null || namespace.equals(r.getMetadata().getNamespace()))).findFirst();
    }

    Deployment deployment(String service) {
        return find(Deployment.class, "cascade", service)
                .orElseThrow(() -> new AssertionError("no Deployment " + service + " in namespace cascade"));
    }

    /** The service's one container. */
    Container container(String service) {
        List<Container> containers = deployment(service).getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError(service + " has " + containers.size() + " containers, not one");
        }
        return containers.get(0);
    }

    /** The plain data of a rendered ConfigMap or the decoded data of a rendered Secret, by namespace and name. */
    Optional<Map<String, String>> data(String kind, String namespace, String name) {
        if (kind.equals("ConfigMap")) {
            return find(ConfigMap.class, namespace, name).map(c -> c.getData() == null ? Map.of() : c.getData());
        }
        return find(Secret.class, namespace, name).map(s -> {
            Map<String, String> data = new LinkedHashMap<>();
            if (s.getData() != null) {
                s.getData().forEach((k, v) -> data.put(k, new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
            }
            if (s.getStringData() != null) {
                data.putAll(s.getStringData());
            }
            return data;
        });
    }

    private static String render(Path base) {
        List<String> command = new ArrayList<>(kustomizeCommand());
        command.add(base.toString());
        try {
            Path err = Files.createTempFile("kustomize", ".err");
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
            }
            String errors = Files.readString(err);
            Files.delete(err);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + errors);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * {@code kubectl kustomize}, from {@code $KUBECTL} or the PATH; failing that a standalone {@code kustomize build}.
     * Neither found is a failure that says what to install: these tests are part of the build.
     */
    private static List<String> kustomizeCommand() {
        String explicit = System.getenv("KUBECTL");
        if (explicit != null && !explicit.isBlank()) {
            return List.of(explicit, "kustomize");
        }
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            return List.of(kubectl.get().toString(), "kustomize");
        }
        Optional<Path> kustomize = onPath("kustomize");
        if (kustomize.isPresent()) {
            return List.of(kustomize.get().toString(), "build");
        }
        throw new AssertionError("kubectl is not installed (nor kustomize): these tests render deploy/kubernetes with "
                + "'kubectl kustomize'. Debian has no kubectl package: put kubectl 1.27 or later (Kustomize 5) on the "
                + "PATH, or point the KUBECTL environment variable at one.");
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }

    private static List<HasMetadata> load(String yaml) {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.empty()).build()) {
            return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        }
    }
}
