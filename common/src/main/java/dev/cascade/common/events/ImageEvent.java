package dev.cascade.common.events;

import java.util.Objects;

/**
 * An event about one image tag at one digest: a registry's report of a push ({@link ImageReported}), or the push
 * Cascade acts on ({@link ImagePushed}). Both are keyed {@code registry/repository}, so every event about one
 * repository stays in order, and are about their canonical {@code registry/repository:tag}.
 */
public sealed interface ImageEvent extends CascadeEvent permits ImageReported, ImagePushed {

    String image();

    String registry();

    String repository();

    String tag();

    String digest();

    /** Kafka key {@code registry/repository}. */
    @Override
    default String key() {
        return registry() + "/" + repository();
    }

    @Override
    default String subject() {
        return image();
    }

    /** The canonical {@code registry/repository:tag} of an event's fields, checking the ones every image event has. */
    static String imageOf(String image, String registry, String repository, String tag, String digest) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        return image != null ? image : registry + "/" + repository + ":" + tag;
    }
}
