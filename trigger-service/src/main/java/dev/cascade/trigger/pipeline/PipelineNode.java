package dev.cascade.trigger.pipeline;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A node of a pipeline's causal tree: a git push, an image push, a build or a rollout. The events about
 * one build (or rollout) all update its one node; its parent is whatever caused its first event.
 */
@Entity
@Table(name = "pipeline_node")
public class PipelineNode extends PanacheEntityBase {

    public static final String SOURCE = "source";
    public static final String IMAGE = "image";
    public static final String BUILD = "build";
    public static final String ROLLOUT = "rollout";

    /** Status of source and image nodes: they happen at once. */
    public static final String PUSHED = "pushed";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "pipeline_id", nullable = false)
    public UUID pipelineId;

    @Column(nullable = false)
    public String kind;

    /** The event id of a source or image node, the build id, or the rollout id. */
    @Column(name = "node_key", nullable = false)
    public String key;

    /** The event that created the node; for builds and rollouts the earliest one seen. */
    @Column(name = "event_id", nullable = false)
    public UUID eventId;

    /** The {@code causationid} of {@link #eventId}: the event, and so the node, this one hangs under. */
    @Column(name = "parent_event_id", nullable = false)
    public UUID parentEventId;

    /** The event that set the current status; what an image push made by this build is caused by. */
    @Column(name = "last_event_id", nullable = false)
    public UUID lastEventId;

    @Column(nullable = false)
    public String status;

    @Column(name = "status_rank", nullable = false)
    public int statusRank;

    @Column(nullable = false)
    public String name;

    public String repository;

    @Column(name = "git_ref")
    public String gitRef;

    @Column(name = "git_commit")
    public String gitCommit;

    public String image;

    @Column(name = "image_name")
    public String imageName;

    public String digest;

    @Column(name = "previous_image")
    public String previousImage;

    @Column(name = "media_type")
    public String mediaType;

    public String sender;

    @Column(name = "build_number")
    public Integer buildNumber;

    /** Builds: the build configuration. */
    public String config;

    /** Comma-separated names of the configs a build waits for. */
    @Column(name = "after_configs")
    public String afterConfigs;

    public String reason;

    public String namespace;

    @Column(name = "workload_kind")
    public String workloadKind;

    @Column(name = "workload_name")
    public String workloadName;

    public String container;

    @Column(nullable = false)
    public OffsetDateTime at;

    @Column(name = "queued_at")
    public OffsetDateTime queuedAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** The pipeline revision of this node's last change. */
    @Column(nullable = false)
    public long revision;

    /**
     * Moves the node to {@code newStatus} unless it already is at a later one: a late or reordered older
     * event never moves a node back.
     *
     * @return whether the status was taken
     */
    boolean advanceTo(String newStatus, int rank, UUID byEvent) {
        if (status != null && rank <= statusRank) {
            return false;
        }
        status = newStatus;
        statusRank = rank;
        lastEventId = byEvent;
        return true;
    }
}
