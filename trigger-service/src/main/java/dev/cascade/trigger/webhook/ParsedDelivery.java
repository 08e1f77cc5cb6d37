package dev.cascade.trigger.webhook;

import dev.cascade.common.events.SourcePushed;
import java.util.List;
import java.util.Objects;

/**
 * What a provider read from a verified delivery.
 *
 * @param eventName the sender's own name of the event ({@code push}, {@code Tag Push Hook}, {@code ping})
 * @param dedupKey  the key that stays the same when the sender delivers this event again (WEBHOOKS.md)
 * @param subject   canonical git repository URL or image name the delivery is about, for listings
 * @param pushes    source pushes to publish (git senders)
 * @param images    image pushes to publish (registry senders)
 * @param ignored   why nothing is published, when nothing is; null otherwise
 */
public record ParsedDelivery(String eventName, String dedupKey, String subject, List<SourcePushed> pushes,
                             List<ImageCandidate> images, String ignored) {

    public ParsedDelivery {
        Objects.requireNonNull(dedupKey, "dedupKey");
        pushes = pushes == null ? List.of() : List.copyOf(pushes);
        images = images == null ? List.of() : List.copyOf(images);
    }

    public static ParsedDelivery ignored(String eventName, String dedupKey, String subject, String reason) {
        return new ParsedDelivery(eventName, dedupKey, subject, List.of(), List.of(), reason);
    }

    public static ParsedDelivery pushes(String eventName, String dedupKey, String subject, List<SourcePushed> pushes) {
        return new ParsedDelivery(eventName, dedupKey, subject, pushes, List.of(), null);
    }

    public static ParsedDelivery images(String eventName, String dedupKey, String subject, List<ImageCandidate> images) {
        return new ParsedDelivery(eventName, dedupKey, subject, List.of(), images, null);
    }
}
