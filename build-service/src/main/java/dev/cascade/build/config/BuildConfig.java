package dev.cascade.build.config;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A stored build configuration: the spec as written plus the columns triggers look up by. */
@Entity
@Table(name = "build_config")
public class BuildConfig extends PanacheEntityBase {

    @Id
    public String name;

    /** Canonical repository URL. */
    @Column(nullable = false)
    public String repository;

    @Column(nullable = false)
    public String branch;

    /** Canonical {@code registry/repository:tag}. */
    @Column(name = "output_image", nullable = false, unique = true)
    public String outputImage;

    @Column(nullable = false)
    public String strategy;

    @Column(name = "on_git_push", nullable = false)
    public boolean onGitPush;

    @Column(name = "on_base_change", nullable = false)
    public boolean onBaseChange;

    /** The spec with defaults, as JSON. */
    @Column(nullable = false)
    public String spec;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
