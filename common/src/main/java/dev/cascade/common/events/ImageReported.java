package dev.cascade.common.events;

/**
 * {@code cascade.image.reported}: a registry said that a tag now points at a digest. Only a hint: build-service, which
 * owns {@code cascade.image.pushed}, decides whether it is a push Cascade made itself (then nothing more happens) or a
 * push from outside (then it publishes {@code cascade.image.pushed} for it).
 *
 * @param image      canonical {@code registry/repository:tag} (registry aliases applied)
 * @param registry   canonical registry host (with port, if any)
 * @param repository repository path inside the registry
 * @param tag        the tag pushed
 * @param digest     content digest of the manifest or index, {@code sha256:…}
 * @param mediaType  media type of the manifest or index, when the sender reports it
 * @param sender     the reporting system: {@code distribution}, {@code dockerhub}, {@code harbor}, {@code quay}, {@code ghcr};
 *                   {@code poll} when build-service's own check of a watched tag found the push (such a report is held
 *                   with a build's as a webhook's is, and is never published on {@code cascade.image-reports})
 * @param deliveryId id of the webhook delivery the report came in (of the check's event for {@code poll})
 */
public record ImageReported(
        String image,
        String registry,
        String repository,
        String tag,
        String digest,
        String mediaType,
        String sender,
        String deliveryId) implements ImageEvent {

    public ImageReported {
        image = ImageEvent.imageOf(image, registry, repository, tag, digest);
    }

    /** The same report, attributed to a webhook delivery. */
    public ImageReported withDeliveryId(String id) {
        return new ImageReported(image, registry, repository, tag, digest, mediaType, sender, id);
    }

    /** The push this report tells of, as build-service publishes it when it came from outside. */
    public ImagePushed asPush() {
        return new ImagePushed(image, registry, repository, tag, digest, mediaType, sender, deliveryId);
    }

    @Override
    public String topic() {
        return Topics.IMAGE_REPORTS;
    }

    @Override
    public String eventType() {
        return EventTypes.IMAGE_REPORTED;
    }
}
