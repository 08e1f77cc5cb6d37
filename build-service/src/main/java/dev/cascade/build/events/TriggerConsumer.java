package dev.cascade.build.events;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.cascade.Cascades;
import dev.cascade.build.cascade.CascadeSettings;
import dev.cascade.build.queue.Build;
import dev.cascade.build.graph.KnownImage;
import dev.cascade.build.queue.BuildDispatcher;
import dev.cascade.build.queue.Origin;
import dev.cascade.messaging.Causation;
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
    private final BuildDispatcher dispatcher;
    private final Cascades cascades;
    private final BuildConfigs configs;
    private final CascadeSettings settings;

    public TriggerConsumer(IdempotentConsumer consumer, BuildDispatcher dispatcher, Cascades cascades, BuildConfigs configs, CascadeSettings settings) {
        this.consumer = consumer;
        this.dispatcher = dispatcher;
        this.cascades = cascades;
        this.configs = configs;
        this.settings = settings;
    }

    @Incoming("source")
    public Uni<Void> onSourcePushed(Message<String> message) {
        return consumer.consume(message, "build-service.source", SourcePushed.class, this::recordPush)
                .invoke(dispatcher::dispatchSoon);
    }

    @Incoming("images")
    public Uni<Void> onImagePushed(Message<String> message) {
        return consumer.consume(message, "build-service.images", ImagePushed.class, this::recordImage)
                .invoke(dispatcher::dispatchSoon);
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
        String cause = "push of " + shortSha(push.after()) + " to " + push.ref() + " by " + push.pusher();
        // the pushed configs build the pushed commit; configs built on their images follow, each after its parents
        return row.persist()
                .chain(() -> BuildConfig.<BuildConfig>list("repository = ?1 and branch = ?2 and onGitPush = true order by name",
                        push.repository(), push.ref()))
                .map(matching -> matching.stream().filter(c -> touchesContext(configs.read(c), push)).toList())
                .chain(cascades::planFrom)
                .chain(plan -> cascades.queue(plan, Causation.causedBy(event),
                        step -> step.root() ? push.after() : null,
                        step -> step.root() ? cause : "after " + String.join(", ", step.after()) + " (" + cause + ")", Origin.interactive()))
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
        }).chain(() -> Build.count("image = ?1 and pipelineId = ?2", image, event.pipelineId()))
                .chain(builtInThisPipeline -> {
                    // an image a cascade's own build pushed continues that cascade at once; other pushes of a
                    // tag are gathered for the coalescing window first
                    if (builtInThisPipeline > 0) {
                        return cascades.cascadeNow(image, pushed.digest(), Causation.causedBy(event), 0).replaceWithVoid();
                    }
                    if (settings.coalesceWindow().isZero()) {
                        return cascades.cascadeOfPush(image, pushed.digest(), Causation.causedBy(event), 0).replaceWithVoid();
                    }
                    return cascades.coalesce(image, pushed.digest(), Causation.causedBy(event));
                });
    }
}
