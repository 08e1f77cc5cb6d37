package dev.cascade.common.events;

/**
 * {@code cascade.image.pushed}: an image tag points at a digest that is new to Cascade, published once per tag and
 * digest, by build-service alone: for the image a build pushed, when the build succeeds (in the build's pipeline), or
 * for a registry's report of a push nobody in Cascade made (in the report's pipeline).
 *
 * @param image     canonical {@code registry/repository:tag} (registry aliases applied)
 * @param registry  canonical registry host (with port, if any)
 * @param repository repository path inside the registry
 * @param tag       the tag pushed
 * @param digest    content digest of the manifest or index, {@code sha256:…}
 * @param mediaType media type of the manifest or index, when the sender reports it
 * @param sender    the sending system: {@code distribution}, {@code dockerhub}, {@code harbor}, {@code quay}, {@code ghcr} for a push from
 *                  outside that a registry's webhook reported, {@code poll} for one that a check of a watched tag found,
 *                  {@code build} for a build's own
 * @param deliveryId id of the webhook delivery that reported a push from outside, of the event a check of a watched tag
 *                  published, or of the build that pushed the image
 */
public record ImagePushed(
        String image,
        String registry,
        String repository,
        String tag,
        String digest,
        String mediaType,
        String sender,
        String deliveryId) implements ImageEvent {

    public ImagePushed {
        image = ImageEvent.imageOf(image, registry, repository, tag, digest);
    }

    @Override
    public String topic() {
        return Topics.IMAGES;
    }

    @Override
    public String eventType() {
        return EventTypes.IMAGE_PUSHED;
    }
}
