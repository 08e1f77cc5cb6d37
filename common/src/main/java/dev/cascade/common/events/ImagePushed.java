package dev.cascade.common.events;

import java.util.Objects;

/**
 * {@code cascade.image.pushed}: a manifest or index was pushed to a registry under a tag.
 *
 * @param image     canonical {@code registry/repository:tag} (registry aliases applied)
 * @param registry  canonical registry host (with port, if any)
 * @param repository repository path inside the registry
 * @param tag       the tag pushed
 * @param digest    content digest of the manifest or index, {@code sha256:…}
 * @param mediaType media type of the manifest or index, when the sender reports it
 * @param sender    the sending system: {@code distribution}, {@code dockerhub}, {@code harbor}, {@code quay}, {@code ghcr}, {@code build}
 * @param deliveryId id of the webhook delivery or build this event came from
 */
public record ImagePushed(
        String image,
        String registry,
        String repository,
        String tag,
        String digest,
        String mediaType,
        String sender,
        String deliveryId) implements CascadeEvent {

    public ImagePushed {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        if (image == null) {
            image = registry + "/" + repository + ":" + tag;
        }
    }

    /** Kafka key {@code registry/repository}: all pushes to one repository stay in order. */
    @Override
    public String key() {
        return registry + "/" + repository;
    }

    @Override
    public String topic() {
        return Topics.IMAGES;
    }

    @Override
    public String eventType() {
        return EventTypes.IMAGE_PUSHED;
    }

    @Override
    public String subject() {
        return image;
    }
}
