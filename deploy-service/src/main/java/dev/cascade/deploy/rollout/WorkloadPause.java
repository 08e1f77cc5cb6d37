package dev.cascade.deploy.rollout;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** A workload whose automatic rollouts are paused. */
@Entity
@Table(name = "workload_pause")
@IdClass(WorkloadPause.Key.class)
public class WorkloadPause extends PanacheEntityBase {

    @Id
    public String namespace;

    @Id
    public String kind;

    @Id
    public String name;

    @Column(name = "paused_at", nullable = false)
    public OffsetDateTime pausedAt;

    /** Composite key. */
    public static class Key implements Serializable {
        public String namespace;
        public String kind;
        public String name;

        public Key() {
        }

        public Key(String namespace, String kind, String name) {
            this.namespace = namespace;
            this.kind = kind;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(namespace, k.namespace) && Objects.equals(kind, k.kind) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, kind, name);
        }
    }
}
