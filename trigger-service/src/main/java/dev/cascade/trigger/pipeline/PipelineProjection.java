package dev.cascade.trigger.pipeline;

import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.messaging.ReceivedEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Applies the events of the four topics to the pipeline view. Each method runs inside the idempotent
 * consumer's transaction, so an event is applied once; it locks the pipeline's row first, so changes of
 * one pipeline are applied (and numbered) one after the other whatever topic they come from.
 *
 * <p>Events may arrive in any order across topics: the pipeline row is created by whichever arrives
 * first, the root trigger fills it in when it comes, and a node never moves back to an earlier status.
 */
@ApplicationScoped
public class PipelineProjection {

    private final PipelineNotifications notifications;
    private final RegistryAliases aliases;

    public PipelineProjection(PipelineNotifications notifications, RegistryAliases aliases) {
        this.notifications = notifications;
        this.aliases = aliases;
    }

    public Uni<Void> sourcePushed(ReceivedEvent<SourcePushed> event) {
        SourcePushed push = event.data();
        return apply(event, PipelineNode.SOURCE, event.id().toString(), timeOf(event), (pipeline, node) -> {
            node.advanceTo(PipelineNode.PUSHED, 1, event.id());
            node.name = push.repository() + " " + push.ref();
            node.repository = push.repository();
            node.gitRef = push.ref();
            node.gitCommit = push.after();
            node.sender = push.sender();
            return Uni.createFrom().voidItem();
        });
    }

    public Uni<Void> imagePushed(ReceivedEvent<ImagePushed> event) {
        ImagePushed pushed = event.data();
        return apply(event, PipelineNode.IMAGE, event.id().toString(), timeOf(event), (pipeline, node) -> {
            node.advanceTo(PipelineNode.PUSHED, 1, event.id());
            node.name = pushed.image();
            node.image = pushed.image();
            node.imageName = pushed.key();
            node.digest = pushed.digest();
            node.mediaType = pushed.mediaType();
            node.sender = pushed.sender();
            return Uni.createFrom().voidItem();
        });
    }

    public Uni<Void> build(ReceivedEvent<BuildEvent> event) {
        BuildEvent b = event.data();
        OffsetDateTime at = utc(b.at());
        return apply(event, PipelineNode.BUILD, b.buildId(), at, (pipeline, node) -> {
            boolean advanced = node.advanceTo(NodeStatuses.of(b.status()), NodeStatuses.rank(b.status()), event.id());
            switch (b.status()) {
                case QUEUED -> node.queuedAt = at;
                case STARTED -> node.startedAt = at;
                default -> node.finishedAt = at;
            }
            node.config = b.config();
            node.name = b.number() > 0 ? b.config() + " #" + b.number() : b.config();
            if (b.number() > 0) {
                node.buildNumber = b.number();
            }
            if (b.commit() != null) {
                node.gitCommit = b.commit();
            }
            if (b.image() != null) {
                node.image = canonicalTagged(b.image()).orElse(b.image());
                node.imageName = imageName(b.image());
            }
            if (b.digest() != null) {
                node.digest = b.digest();
            }
            if (!b.after().isEmpty()) {
                node.afterConfigs = String.join(",", b.after());
            }
            if (b.reason() != null && (advanced || node.reason == null)) {
                node.reason = b.reason();
            }
            return Uni.createFrom().voidItem();
        });
    }

    public Uni<Void> rollout(ReceivedEvent<RolloutEvent> event) {
        RolloutEvent r = event.data();
        OffsetDateTime at = utc(r.at());
        return apply(event, PipelineNode.ROLLOUT, r.rolloutId(), at, (pipeline, node) -> {
            boolean advanced = node.advanceTo(NodeStatuses.of(r.status()), NodeStatuses.rank(r.status()), event.id());
            if (r.status() == RolloutStatus.STARTED) {
                node.startedAt = at;
            } else if (NodeStatuses.ends(r.status()) && (advanced || node.finishedAt == null)) {
                node.finishedAt = at;
            }
            node.name = r.key();
            node.namespace = r.namespace();
            node.workloadKind = r.kind();
            node.workloadName = r.name();
            if (r.container() != null) {
                node.container = r.container();
            }
            if (r.image() != null) {
                node.image = r.image();
                node.imageName = imageName(r.image());
                node.digest = digestOf(r.image());
            }
            if (r.previousImage() != null) {
                node.previousImage = r.previousImage();
            }
            if (r.reason() != null && (advanced || node.reason == null)) {
                node.reason = r.reason();
            }
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * The common path of every event: lock (or create) the pipeline, find (or create) the node, let
     * {@code change} update it, number the change, then derive the pipeline's status and announce it.
     */
    private Uni<Void> apply(ReceivedEvent<?> event, String kind, String key, OffsetDateTime at,
                            BiFunction<Pipeline, PipelineNode, Uni<Void>> change) {
        return PipelineNode.<PipelineNode>find("kind = ?1 and key = ?2", kind, key).firstResult().chain(existing -> {
            // a node stays in the pipeline it was created in, whatever a later event claims
            UUID pipelineId = existing != null ? existing.pipelineId : event.pipelineId();
            if (!pipelineId.equals(event.pipelineId())) {
                Log.warnf("%s %s is in pipeline %s, but event %s names pipeline %s; keeping the first",
                        kind, key, pipelineId, event.id(), event.pipelineId());
            }
            PipelineNode node = existing != null ? existing : newNode(pipelineId, kind, key);
            if (existing == null || at.isBefore(node.at)) {
                // the earliest event of a node says what caused it
                node.eventId = event.id();
                node.parentEventId = event.causationId();
                node.at = at;
            }
            return lockPipeline(pipelineId, at)
                    .chain(pipeline -> change.apply(pipeline, node)
                            .chain(() -> {
                                node.revision = pipeline.nextRevision();
                                return existing == null ? node.<PipelineNode>persist() : Uni.createFrom().item(node);
                            })
                            .chain(() -> recordEvent(event, node, at))
                            .chain(() -> {
                                boolean rowChanged = takeRoot(pipeline, node, event);
                                if (at.isBefore(pipeline.createdAt)) {
                                    pipeline.createdAt = at;
                                    rowChanged = true;
                                }
                                return PipelineStatus.refresh(pipeline, rowChanged);
                            }))
                    .chain(() -> notifications.announce(pipelineId));
        });
    }

    private static Uni<Pipeline> lockPipeline(UUID id, OffsetDateTime at) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO pipeline (id, status, revision, status_revision, created_at, updated_at)
                                VALUES (?1, 'running', 0, 0, ?2, ?2) ON CONFLICT (id) DO NOTHING""")
                        .setParameter(1, id)
                        .setParameter(2, at)
                        .executeUpdate())
                .chain(() -> Pipeline.<Pipeline>findById(id, LockModeType.PESSIMISTIC_WRITE));
    }

    private static PipelineNode newNode(UUID pipelineId, String kind, String key) {
        PipelineNode node = new PipelineNode();
        node.pipelineId = pipelineId;
        node.kind = kind;
        node.key = key;
        return node;
    }

    private static Uni<Void> recordEvent(ReceivedEvent<?> event, PipelineNode node, OffsetDateTime at) {
        PipelineEvent e = new PipelineEvent();
        e.eventId = event.id();
        e.pipelineId = node.pipelineId;
        e.nodeId = node.id;
        e.type = event.type();
        e.causationId = event.causationId();
        e.occurredAt = at;
        return e.persist().replaceWithVoid();
    }

    /**
     * The root of the tree is the node of the event whose id is the pipeline id. Until that event is seen
     * (and forever for a build requested by hand, whose pipeline id names no event), the first node caused
     * directly by the pipeline id stands in for it.
     *
     * @return whether the pipeline's trigger changed
     */
    private static boolean takeRoot(Pipeline pipeline, PipelineNode node, ReceivedEvent<?> event) {
        boolean isRoot = event.id().equals(pipeline.id);
        boolean standsIn = event.causationId().equals(pipeline.id)
                && (pipeline.rootNodeId == null || pipeline.rootNodeId.equals(node.id));
        if (!isRoot && !standsIn) {
            return false;
        }
        List<Object> before = triggerOf(pipeline);
        pipeline.rootNodeId = node.id;
        pipeline.triggerKind = PipelineNode.SOURCE.equals(node.kind) ? "git" : node.kind;
        pipeline.repository = node.repository;
        pipeline.gitRef = node.gitRef;
        pipeline.gitCommit = node.gitCommit;
        pipeline.image = node.image;
        pipeline.digest = PipelineNode.IMAGE.equals(node.kind) ? node.digest : null;
        pipeline.config = PipelineNode.BUILD.equals(node.kind) ? node.config : null;
        return !before.equals(triggerOf(pipeline));
    }

    private static List<Object> triggerOf(Pipeline p) {
        return Arrays.asList(p.rootNodeId, p.triggerKind, p.repository, p.gitRef, p.gitCommit, p.image, p.digest, p.config);
    }

    private Optional<String> canonicalTagged(String image) {
        try {
            ImageRef ref = ImageRef.parse(image, aliases);
            return ref.tag() == null ? Optional.empty() : Optional.of(ref.taggedName());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private String imageName(String image) {
        try {
            return ImageRef.parse(image, aliases).name();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String digestOf(String image) {
        try {
            return ImageRef.parse(image, aliases).digest();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OffsetDateTime timeOf(ReceivedEvent<?> event) {
        return event.time() != null ? event.time().withOffsetSameInstant(ZoneOffset.UTC) : OffsetDateTime.now(ZoneOffset.UTC);
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
