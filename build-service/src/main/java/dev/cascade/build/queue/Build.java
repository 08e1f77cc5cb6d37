package dev.cascade.build.queue;

import dev.cascade.common.events.BuildStatus;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One build of a config: queued, running or finished, with what it built and why it ended. */
@Entity
@Table(name = "build")
public class Build extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String config;

    /** 1, 2, 3 … per config. */
    @Column(nullable = false)
    public int number;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public BuildStatus status;

    /** What queued it, or why it failed, was cancelled or skipped. */
    public String reason;

    /** The commit built (known once checked out; set up front when a push names it). */
    @Column(name = "commit_sha")
    public String commit;

    /** Branch or commit requested. */
    public String ref;

    public String image;

    public String digest;

    /** JSON object: base image to the digest used. */
    @Column(name = "base_digests")
    public String baseDigests;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(name = "causation_id", nullable = false)
    public UUID causationId;

    @Column(nullable = false)
    public int attempt;

    /** Configs whose builds in this pipeline must succeed first, comma-separated; null when none. */
    @Column(name = "after_configs")
    public String afterConfigs;

    /** Interactive (a git push, by hand) or cascade (a base image push): what started the build's pipeline. */
    @Enumerated(EnumType.STRING)
    @Column(name = "queue_class", nullable = false)
    public QueueClass queueClass = QueueClass.INTERACTIVE;

    /** For a cascade, the base image whose change started its pipeline; null otherwise. */
    @Column(name = "trigger_image")
    public String triggerImage;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** The whole output, once the build has ended (while it runs, it is in a file). */
    public String log;
}
