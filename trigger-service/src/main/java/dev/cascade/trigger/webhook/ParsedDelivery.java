package dev.cascade.trigger.webhook;

import dev.cascade.common.hash.Sha256;
import dev.cascade.common.events.SourcePushed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    /** Longer keys are stored as their SHA-256: the unique index over keys only takes entries of a few kilobytes. */
    static final int MAX_KEY_LENGTH = 512;

    public ParsedDelivery {
        dedupKey = storableKey(Objects.requireNonNull(dedupKey, "dedupKey"));
        pushes = pushes == null ? List.of() : List.copyOf(pushes);
        images = images == null ? List.of() : List.copyOf(images);
    }

    /**
     * A key as it is stored: short keys stay readable, long ones (a push of hundreds of tags, a hostile header or
     * event id) become their digest.
     */
    public static String storableKey(String key) {
        if (key.length() <= MAX_KEY_LENGTH) {
            return key;
        }
        return "sha256:" + Sha256.hex(key);
    }

    /** The same delivery under another de-duplication key. */
    public ParsedDelivery withDedupKey(String key) {
        return new ParsedDelivery(eventName, key, subject, pushes, images, ignored);
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
