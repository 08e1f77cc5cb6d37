package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.image.ImageRef;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import java.util.Set;

/**
 * A registry's sender: what it reports are image pushes, and every name it sends is read as an image reference is
 * ({@link ImageRef}), so that one spelling of an image is one subject and one candidate.
 */
abstract class RegistrySender extends JsonSender {

    RegistrySender(ObjectMapper mapper, String sender, Set<String> mediaTypes) {
        super(mapper, sender, Kind.REGISTRY, mediaTypes);
    }

    /** The candidate an image reference names, normalised; malformed when the text is no image reference. */
    static ImageCandidate candidate(String reference, String mediaType) {
        try {
            return imageCandidate(reference, mediaType);
        } catch (IllegalArgumentException e) {
            throw new MalformedWebhookException("invalid image reference: " + e.getMessage());
        }
    }

    /**
     * The candidate an image reference names, normalised.
     *
     * @throws IllegalArgumentException naming what is wrong, when the text is no image reference
     */
    static ImageCandidate imageCandidate(String reference, String mediaType) {
        ImageRef ref = ImageRef.parse(reference);
        return new ImageCandidate(ref.registry(), ref.repository(), ref.tag(), ref.digest(), mediaType);
    }

    /** {@code registry/repository}: the subject of a delivery about this candidate. */
    static String name(ImageCandidate image) {
        return image.registry() + "/" + image.repository();
    }

    /**
     * {@code registry/repository:tag@digest}: what identifies a push, for senders whose resends (or whose two events
     * of one push) carry no delivery id in common. Without a digest it is {@code registry/repository:tag}, and the
     * intake adds the digest it resolves from the registry.
     */
    static String pushKey(ImageCandidate image) {
        return name(image) + ":" + image.tag() + (image.digest() == null ? "" : "@" + image.digest());
    }

    /**
     * Whether a reference starting with this host reads it as a registry: a bare name such as {@code registry}
     * would be taken for a Docker Hub namespace, as {@code docker pull} takes it.
     */
    static boolean isRegistryHost(String host) {
        return host.contains(".") || host.contains(":") || host.equals("localhost") || host.startsWith("[");
    }

    /**
     * Whether a sender's tag field says that no tag moved: the field is absent or empty. A tag of only white space says
     * neither a tag nor its absence, and is refused like any other text that is no tag.
     *
     * @throws MalformedWebhookException for a tag of only white space
     */
    static boolean untagged(String tag) {
        if (tag == null || tag.isEmpty()) {
            return true;
        }
        if (tag.isBlank()) {
            throw new MalformedWebhookException("a tag of only white space (" + tag.length() + " characters) is no tag");
        }
        return false;
    }

    /** A scheme is no part of an image name; senders that put one in front of it are read without it. */
    static String stripScheme(String url) {
        String u = url.trim();
        int scheme = u.indexOf("://");
        return scheme < 0 ? u : u.substring(scheme + 3);
    }

    /** Client text shortened for messages, which are stored and logged. */
    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
