package dev.cascade.build.queue;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/** A build that must succeed before another build of the same pipeline may start. */
@Entity
@Table(name = "build_prerequisite")
@IdClass(BuildPrerequisite.Key.class)
public class BuildPrerequisite extends PanacheEntityBase {

    /** The waiting build. */
    @Id
    @Column(name = "build_id")
    public UUID buildId;

    /** The build it waits for. */
    @Id
    @Column(name = "prerequisite_id")
    public UUID prerequisiteId;

    /** Composite key. */
    public static class Key implements Serializable {
        public UUID buildId;
        public UUID prerequisiteId;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(buildId, k.buildId) && Objects.equals(prerequisiteId, k.prerequisiteId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(buildId, prerequisiteId);
        }
    }
}
