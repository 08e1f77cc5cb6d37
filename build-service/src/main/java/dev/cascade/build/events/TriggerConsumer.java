package dev.cascade.build.events;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.graph.DependencyGraph;
import dev.cascade.build.graph.KnownImage;
import dev.cascade.build.queue.Builds;
import dev.cascade.messaging.Causation;
import io.smallrye.mutiny.Multi;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.image.ImageRef;
import dev.cascade.messaging.IdempotentConsumer;
import dev.cascade.messaging.ReceivedEvent;
import dev.cascade.messaging.UnprocessableEventException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Takes the triggers trigger-service publishes: source pushes and image pushes. */
@ApplicationScoped
public class TriggerConsumer {

    private final IdempotentConsumer consumer;
    private final Builds builds;
    private final DependencyGraph graph;
    private final BuildConfigs configs;

    public TriggerConsumer(IdempotentConsumer consumer, Builds builds, DependencyGraph graph, BuildConfigs configs) {
        this.consumer = consumer;
        this.builds = builds;
        this.graph = graph;
        this.configs = configs;
    }

    @Incoming("source")
    public Uni<Void> onSourcePushed(Message<String> message) {
        return consumer.consume(message, "build-service.source", SourcePushed.class, this::recordPush)
                .invoke(builds::dispatchSoon);
    }

    @Incoming("images")
    public Uni<Void> onImagePushed(Message<String> message) {
        return consumer.consume(message, "build-service.images", ImagePushed.class, this::recordImage)
                .invoke(builds::dispatchSoon);
    }

    Uni<Void> recordPush(ReceivedEvent<SourcePushed> event) {
        SourcePushed push = event.data();
        SourcePush row = new SourcePush();
        row.eventId = event.id();
        row.pipelineId = event.pipelineId();
        row.repository = push.repository();
        row.refType = push.refType().name();
        row.ref = push.ref();
        row.afterCommit = push.after();
        row.receivedAt = OffsetDateTime.now();
        Log.infof("source pushed: %s %s at %s (pipeline %s)", push.repository(), push.ref(), push.after(), event.pipelineId());
        if (push.refType() != SourcePushed.RefType.BRANCH) {
            return row.persist().replaceWithVoid();
        }
        return row.persist()
                .chain(() -> BuildConfig.<BuildConfig>list("repository = ?1 and branch = ?2 and onGitPush = true order by name",
                        push.repository(), push.ref()))
                .chain(matching -> Multi.createFrom().iterable(matching)
                        .filter(c -> touchesContext(configs.read(c), push))
                        .onItem().transformToUniAndConcatenate(c -> builds.queue(c, push.after(),
                                "push of " + shortSha(push.after()) + " to " + push.ref() + " by " + push.pusher(), Causation.causedBy(event)))
                        .collect().asList())
                .replaceWithVoid();
    }

    /** A push that changed nothing under the config's context dir does not build it (when the sender listed the paths). */
    static boolean touchesContext(BuildConfigSpec spec, SourcePushed push) {
        String context = spec.source().contextDir();
        if (push.changedPaths() == null || context.equals(".") || context.isEmpty()) {
            return true;
        }
        String prefix = java.nio.file.Path.of(context).normalize().toString() + "/";
        return push.changedPaths().stream().anyMatch(p -> p.startsWith(prefix));
    }

    private static String shortSha(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    Uni<Void> recordImage(ReceivedEvent<ImagePushed> event) {
        ImagePushed pushed = event.data();
        String image;
        try {
            image = ImageRef.parse(pushed.image()).withoutDigest().toString();
        } catch (IllegalArgumentException e) {
            throw new UnprocessableEventException("image pushed with an invalid reference: " + e.getMessage());
        }
        Log.infof("image pushed: %s@%s (pipeline %s)", image, pushed.digest(), event.pipelineId());
        return KnownImage.<KnownImage>findById(image).chain(existing -> {
            KnownImage row = existing != null ? existing : new KnownImage();
            row.image = image;
            row.digest = pushed.digest();
            row.pipelineId = event.pipelineId();
            row.eventId = event.id();
            row.updatedAt = OffsetDateTime.now();
            return existing != null ? Uni.createFrom().voidItem() : row.persist().replaceWithVoid();
        }).chain(() -> graph.staleDependents(image, pushed.digest()))
                .chain(stale -> Multi.createFrom().iterable(stale)
                        .onItem().transformToUniAndConcatenate(c -> builds.queue(c, c.branch,
                                "base image " + image + " changed to " + pushed.digest(), Causation.causedBy(event)))
                        .collect().asList())
                .replaceWithVoid();
    }
}
