package dev.cascade.trigger.provider;

import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.util.Set;

/**
 * One webhook sender (GitHub, Distribution, …): how to read its deliveries. Implementations are CDI
 * beans, stateless, and never throw anything but {@link MalformedWebhookException} on client input.
 */
public interface WebhookProvider {

    /** The sender's name as it appears in the webhook URL and in deliveries: {@code github}, {@code distribution}, … */
    String sender();

    /** Whether this sender reports git pushes or image pushes. */
    Kind kind();

    /** Media types of the body this sender uses; anything else is answered {@code 415}. */
    Set<String> mediaTypes();

    /**
     * The repository (canonical git URL) or image name a delivery claims to be about, read leniently
     * before verification to choose the secret; null when it cannot be told.
     */
    String claimedSubject(WebhookRequest request);

    /** The credential the delivery presents. */
    Credential credential(WebhookRequest request);

    /** Reads a verified delivery. */
    ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException;

    /** Kinds of sender. */
    enum Kind { GIT, REGISTRY }
}
