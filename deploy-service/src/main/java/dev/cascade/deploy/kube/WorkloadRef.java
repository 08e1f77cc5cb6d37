package dev.cascade.deploy.kube;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;

/**
 * Which workload: a Deployment, StatefulSet or DaemonSet by namespace and name. Stored as the {@code namespace},
 * {@code kind} and {@code name} columns of every table that names a workload.
 */
@Embeddable
public class WorkloadRef implements Serializable {

    @Column(name = "namespace", nullable = false)
    private String namespace;

    @Column(name = "kind", nullable = false)
    private String kind;

    @Column(name = "name", nullable = false)
    private String name;

    protected WorkloadRef() {
        // for JPA
    }

    public WorkloadRef(String namespace, String kind, String name) {
        this.namespace = namespace;
        this.kind = kind;
        this.name = name;
    }

    public String namespace() {
        return namespace;
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** {@code namespace/kind/name}, also the key of the workload's {@code cascade.rollouts} events. */
    public String key() {
        return namespace + "/" + kind + "/" + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkloadRef w && Objects.equals(namespace, w.namespace) && Objects.equals(kind, w.kind)
                && Objects.equals(name, w.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, kind, name);
    }

    @Override
    public String toString() {
        return key();
    }
}
