package dev.cascade.trigger.provider;

import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.WebhookRequest;

/**
 * The headers every GitHub webhook carries, for repository pushes and package events alike.
 *
 * @param event    {@code X-GitHub-Event}, as sent
 * @param dedupKey {@code hook id:delivery id}: GitHub keeps both on a manual redelivery, and one event sent to two
 *                 hooks (repository and organisation) shares a delivery id
 */
record GitHubDelivery(String event, String dedupKey) {

    static GitHubDelivery of(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-GitHub-Event");
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Event header is missing");
        }
        String delivery = request.header("X-GitHub-Delivery");
        if (delivery == null || delivery.isBlank()) {
            throw new MalformedWebhookException("X-GitHub-Delivery header is missing");
        }
        String hookId = request.header("X-GitHub-Hook-ID");
        return new GitHubDelivery(event, GitPushes.dedupKey((hookId == null ? "" : hookId.trim()) + ":" + delivery.trim()));
    }
}
