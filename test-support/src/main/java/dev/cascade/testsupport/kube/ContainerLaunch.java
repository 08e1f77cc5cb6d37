package dev.cascade.testsupport.kube;

import dev.cascade.testsupport.kube.PodSandbox.ConfigError;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a container runtime makes of a container spec, for a process on this machine: the command line
 * ({@code command} + {@code args}, with {@code $(VAR)} references expanded as a kubelet does), the environment
 * (only what the spec gives, plus {@code PATH}, {@code HOME} and {@code HOSTNAME}; not the test JVM's), and the
 * working directory, with container paths {@link PodSandbox#rewrite rewritten} to the pod's folders.
 */
final class ContainerLaunch {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

    private ContainerLaunch() {
    }

    /** A process builder for the container; its output is not redirected yet. */
    static ProcessBuilder prepare(Pod pod, Container c, PodSandbox box, Map<String, String> mounts, KubernetesClient client,
                                  List<Path> extraPath) throws ConfigError {
        if (c.getCommand() == null || c.getCommand().isEmpty()) {
            throw new ConfigError("container \"" + c.getName() + "\" has no command: images are not pulled here, so the entrypoint of "
                    + c.getImage() + " is unknown; give the container a command");
        }
        Map<String, String> env = new LinkedHashMap<>();
        StringBuilder path = new StringBuilder();
        extraPath.forEach(p -> path.append(p.toAbsolutePath()).append(File.pathSeparator));
        path.append(System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("PATH", path.toString());
        env.put("HOSTNAME", pod.getMetadata().getName());
        env.put("HOME", box.home().toString());
        String ns = pod.getMetadata().getNamespace();
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = client.configMaps().inNamespace(ns).withName(from.getConfigMapRef().getName()).get();
                if (cm != null) {
                    PodSandbox.configMapData(cm).forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
                } else if (!Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                    throw new ConfigError("configmap \"" + from.getConfigMapRef().getName() + "\" not found");
                }
            }
            if (from.getSecretRef() != null) {
                Secret s = client.secrets().inNamespace(ns).withName(from.getSecretRef().getName()).get();
                if (s != null) {
                    PodSandbox.secretData(s).forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
                } else if (!Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                    throw new ConfigError("secret \"" + from.getSecretRef().getName() + "\" not found");
                }
            }
        }
        for (EnvVar e : c.getEnv()) {
            String value = e.getValueFrom() != null ? valueFrom(pod, e, client)
                    : expand(PodSandbox.rewrite(e.getValue() == null ? "" : e.getValue(), mounts), env);
            if (value != null) {
                env.put(e.getName(), value);
            }
        }
        List<String> line = new ArrayList<>();
        for (String part : c.getCommand()) {
            line.add(expand(PodSandbox.rewrite(part, mounts), env));
        }
        for (String part : c.getArgs()) {
            line.add(expand(PodSandbox.rewrite(part, mounts), env));
        }
        Path dir = box.home();
        if (c.getWorkingDir() != null && !c.getWorkingDir().isEmpty()) {
            dir = Path.of(PodSandbox.rewrite(c.getWorkingDir(), mounts));
            if (!Files.isDirectory(dir)) {
                throw new ConfigError("workingDir " + c.getWorkingDir() + " is " + dir + " on this machine, which is no folder; "
                        + "mount a volume there");
            }
        }
        // a container runtime looks the command up on the container's PATH; Java would look on the test JVM's
        line.set(0, onPath(line.get(0), env.get("PATH")));
        ProcessBuilder builder = new ProcessBuilder(line).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder;
    }

    /** A command without a slash, as found on {@code path}; unchanged when it has one or is found nowhere. */
    static String onPath(String command, String path) {
        if (command.contains("/") || path == null) {
            return command;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return command;
    }

    /** Expands {@code $(NAME)} with variables defined so far; {@code $$} is a literal {@code $}; unknown references stay. */
    static String expand(String s, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "$";
            } else {
                replacement = env.getOrDefault(m.group(1), m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String valueFrom(Pod pod, EnvVar e, KubernetesClient client) throws ConfigError {
        EnvVarSource from = e.getValueFrom();
        String ns = pod.getMetadata().getNamespace();
        if (from.getFieldRef() != null) {
            return field(pod, from.getFieldRef().getFieldPath());
        }
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
            byte[] value = s == null ? null : PodSandbox.secretData(s).get(ref.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(ref.getOptional())) {
                    return null;
                }
                throw new ConfigError(s == null ? "secret \"" + ref.getName() + "\" not found"
                        : "couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
            }
            return new String(value, StandardCharsets.UTF_8);
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
            byte[] value = cm == null ? null : PodSandbox.configMapData(cm).get(ref.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(ref.getOptional())) {
                    return null;
                }
                throw new ConfigError(cm == null ? "configmap \"" + ref.getName() + "\" not found"
                        : "couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
            }
            return new String(value, StandardCharsets.UTF_8);
        }
        throw new ConfigError("env " + e.getName() + ": only fieldRef, secretKeyRef and configMapKeyRef are supported here");
    }

    /** The downward API fields a process here can be given. */
    private static String field(Pod pod, String path) throws ConfigError {
        Matcher m = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
        if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels() : pod.getMetadata().getAnnotations();
            return map == null ? "" : map.getOrDefault(m.group(2), "");
        }
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "metadata.labels" -> lines(pod.getMetadata().getLabels());
            case "metadata.annotations" -> lines(pod.getMetadata().getAnnotations());
            case "spec.nodeName" -> LocalKubelet.NODE_NAME;
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.hostIP" -> "127.0.0.1";
            default -> throw new ConfigError("fieldRef " + path + " is not supported here");
        };
    }

    private static String lines(Map<String, String> map) {
        StringBuilder out = new StringBuilder();
        if (map != null) {
            map.forEach((k, v) -> out.append(out.length() == 0 ? "" : "\n").append(k).append("=\"").append(v).append('"'));
        }
        return out.toString();
    }

    static String readMessage(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int n = Math.min(all.length, 4096);
        return new String(all, 0, n, StandardCharsets.UTF_8);
    }
}
