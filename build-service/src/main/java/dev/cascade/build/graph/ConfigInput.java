package dev.cascade.build.graph;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** An edge of the dependency graph: a config builds on an image, last at {@code digest}. */
@Entity
@Table(name = "config_input")
@IdClass(ConfigInput.Key.class)
public class ConfigInput extends PanacheEntityBase {

    @Id
    public String config;

    /** Canonical {@code registry/repository:tag}. */
    @Id
    public String image;

    /** The digest the config's last successful build used; null before one. */
    @Column
    public String digest;

    /** Composite key. */
    public static class Key implements Serializable {
        public String config;
        public String image;

        public Key() {
        }

        public Key(String config, String image) {
            this.config = config;
            this.image = image;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(config, k.config) && Objects.equals(image, k.image);
        }

        @Override
        public int hashCode() {
            return Objects.hash(config, image);
        }
    }
}
