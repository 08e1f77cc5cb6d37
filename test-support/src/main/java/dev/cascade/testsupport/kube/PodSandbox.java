package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pod's folders on this machine, which stand in for its volumes and its containers' file systems: one folder per
 * volume ({@code emptyDir} empty; {@code secret} and {@code configMap} one file per key, or per {@code items}
 * entry), a home folder, and one termination-message file per container.
 *
 * <p>A process sees the machine's file system, not mounts at container paths, so a container's paths are
 * <em>rewritten</em>: every {@code volumeMount.mountPath} (and the {@code terminationMessagePath}) is replaced by its
 * folder or file here wherever it occurs as a path in the command, args, env values and working directory — the
 * longest mount path first, each occurrence once. A program that builds such a path from parts it does not receive
 * that way (say, a path compiled into a tool) still sees the real machine.
 */
final class PodSandbox {

    /** A container configuration a kubelet refuses to start ({@code CreateContainerConfigError}). */
    static final class ConfigError extends Exception {
        ConfigError(String message) {
            super(message);
        }
    }

    private static final String PATH_CHAR = "[A-Za-z0-9._/~+@-]";

    private final Path root;
    private final Map<String, Path> volumes = new HashMap<>();

    private PodSandbox(Path root) {
        this.root = root;
    }

    /** Makes the pod's folders and fills its secret and configMap volumes from the API server. */
    static PodSandbox create(Path podsDir, Pod pod, KubernetesClient client) throws IOException, ConfigError {
        String ns = pod.getMetadata().getNamespace();
        PodSandbox box = new PodSandbox(Files.createDirectories(podsDir.resolve(ns + "_" + pod.getMetadata().getName()
                + "_" + pod.getMetadata().getUid())));
        Files.createDirectories(box.home());
        for (Volume v : pod.getSpec().getVolumes()) {
            Path dir = Files.createDirectories(box.root.resolve("volumes").resolve(v.getName()));
            box.volumes.put(v.getName(), dir);
            if (v.getSecret() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
                if (s == null) {
                    throw new ConfigError("secret \"" + v.getSecret().getSecretName() + "\" not found");
                }
                writeKeys(dir, secretData(s), v.getSecret().getItems());
            } else if (v.getConfigMap() != null) {
                ConfigMap c = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
                if (c == null) {
                    throw new ConfigError("configmap \"" + v.getConfigMap().getName() + "\" not found");
                }
                writeKeys(dir, configMapData(c), v.getConfigMap().getItems());
            } else if (v.getEmptyDir() == null) {
                throw new ConfigError("volume \"" + v.getName() + "\": only emptyDir, secret and configMap volumes are supported here");
            }
        }
        return box;
    }

    /** A Secret's values, whether it was written with {@code data} (base64) or {@code stringData}. */
    static Map<String, byte[]> secretData(Secret s) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    static Map<String, byte[]> configMapData(ConfigMap c) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (c.getData() != null) {
            c.getData().forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (c.getBinaryData() != null) {
            c.getBinaryData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        }
        return out;
    }

    private static void writeKeys(Path dir, Map<String, byte[]> data, List<KeyToPath> items) throws IOException, ConfigError {
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, byte[]> e : data.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
            return;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                throw new ConfigError("key \"" + item.getKey() + "\" not found");
            }
            Path file = dir.resolve(item.getPath()).normalize();
            if (!file.startsWith(dir)) {
                throw new ConfigError("item path \"" + item.getPath() + "\" leaves its volume");
            }
            Files.createDirectories(file.getParent());
            Files.write(file, value);
        }
    }

    Path home() {
        return root.resolve("home");
    }

    /** A fresh, empty file for a container's termination message. */
    Path terminationFile(String container) throws IOException {
        Path file = root.resolve("termination").resolve(container);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        return Files.createFile(file);
    }

    /** Container path → host path for one container: its volume mounts and its termination message file. */
    Map<String, String> mounts(Container c, Path terminationFile) throws ConfigError, IOException {
        Map<String, String> map = new HashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Path dir = volumes.get(m.getName());
            if (dir == null) {
                throw new ConfigError("volume mount \"" + m.getName() + "\" names no volume of the pod");
            }
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                dir = Files.createDirectories(dir.resolve(m.getSubPath()).normalize());
            }
            map.put(trimSlash(m.getMountPath()), dir.toString());
        }
        String tmp = c.getTerminationMessagePath() == null ? "/dev/termination-log" : c.getTerminationMessagePath();
        map.put(trimSlash(tmp), terminationFile.toString());
        return map;
    }

    private static String trimSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * Replaces, in one pass, each container path of {@code mounts} where it stands as a whole path or a path's
     * beginning (not inside a longer name), the longest first.
     */
    static String rewrite(String s, Map<String, String> mounts) {
        if (s == null || mounts.isEmpty()) {
            return s;
        }
        StringBuilder alternatives = new StringBuilder();
        mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .forEach(p -> alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote(p)));
        Pattern pattern = Pattern.compile("(?<!" + PATH_CHAR + ")(" + alternatives + ")(?=/|$|(?!" + PATH_CHAR + "))");
        Matcher m = pattern.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(mounts.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
