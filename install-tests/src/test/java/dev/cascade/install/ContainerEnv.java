package dev.cascade.install;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The environment a container of the base gets, variable by variable, with where each comes from. A reference that
 * nothing in the base or its operators provides is collected in {@link #unresolved}, never silently taken as set.
 */
final class ContainerEnv {

    /**
     * The keys of the Secret {@code <cluster>-app} that CloudNativePG generates for a Cluster's database owner
     * (CloudNativePG, "Connecting from an application": Secrets; pkg/specs/secrets.go).
     */
    static final Set<String> CNPG_APP_SECRET_KEYS = Set.of("username", "user", "password", "dbname", "host", "port",
            "pgpass", "uri", "jdbc-uri", "fqdn-uri", "fqdn-jdbc-uri");

    /** Where a variable's value comes from; {@code value} is null when only the cluster will know it. */
    record Source(String description, String value, String generatedBy) {
    }

    final Map<String, Source> variables = new LinkedHashMap<>();
    final List<String> unresolved = new ArrayList<>();

    static ContainerEnv of(RenderedBase base, String namespace, Container container) {
        ContainerEnv env = new ContainerEnv();
        // envFrom first: an env entry of the same name overrides it, as in a pod
        if (container.getEnvFrom() != null) {
            for (EnvFromSource from : container.getEnvFrom()) {
                String kind = from.getConfigMapRef() != null ? "ConfigMap" : "Secret";
                String name = from.getConfigMapRef() != null ? from.getConfigMapRef().getName() : from.getSecretRef().getName();
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                base.data(kind, namespace, name).ifPresentOrElse(
                        data -> data.forEach((k, v) -> env.variables.put(prefix + k, new Source(kind + " " + name, v, null))),
                        () -> env.unresolved.add("envFrom " + kind + " " + name + " is not in the base"));
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar e : container.getEnv()) {
                env.add(base, namespace, e);
            }
        }
        return env;
    }

    private void add(RenderedBase base, String namespace, EnvVar e) {
        if (e.getValueFrom() == null) {
            variables.put(e.getName(), new Source("value", e.getValue() == null ? "" : e.getValue(), null));
        } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
            var ref = e.getValueFrom().getConfigMapKeyRef();
            keyOf(base, namespace, e.getName(), "ConfigMap", ref.getName(), ref.getKey());
        } else if (e.getValueFrom().getSecretKeyRef() != null) {
            var ref = e.getValueFrom().getSecretKeyRef();
            if (base.data("Secret", namespace, ref.getName()).isPresent()) {
                keyOf(base, namespace, e.getName(), "Secret", ref.getName(), ref.getKey());
                return;
            }
            String cluster = ref.getName().endsWith("-app") ? ref.getName().substring(0, ref.getName().length() - 4) : null;
            boolean generated = cluster != null && base.all("postgresql.cnpg.io", "Cluster").stream()
                    .map(GenericKubernetesResource::getMetadata)
                    .anyMatch(m -> m.getName().equals(cluster) && namespace.equals(m.getNamespace()));
            if (!generated) {
                unresolved.add(e.getName() + ": Secret " + ref.getName() + " is neither in the base nor generated for a CloudNativePG Cluster of it");
            } else if (!CNPG_APP_SECRET_KEYS.contains(ref.getKey())) {
                unresolved.add(e.getName() + ": CloudNativePG's Secret " + ref.getName() + " has no key " + ref.getKey());
            } else {
                variables.put(e.getName(), new Source("Secret " + ref.getName() + " key " + ref.getKey(), null, cluster));
            }
        } else {
            // downward API (fieldRef, resourceFieldRef): the kubelet fills it in
            variables.put(e.getName(), new Source("downward API", null, null));
        }
    }

    private void keyOf(RenderedBase base, String namespace, String variable, String kind, String name, String key) {
        base.data(kind, namespace, name).ifPresentOrElse(data -> {
            if (data.containsKey(key)) {
                variables.put(variable, new Source(kind + " " + name + " key " + key, data.get(key), null));
            } else {
                unresolved.add(variable + ": " + kind + " " + name + " has no key " + key);
            }
        }, () -> unresolved.add(variable + ": " + kind + " " + name + " is not in the base"));
    }
}
