package dev.cascade.trigger.webhook;

/** The body or headers of a delivery cannot be understood: answered {@code 400} and nothing changes. */
public class MalformedWebhookException extends RuntimeException {

    public MalformedWebhookException(String detail) {
        super(detail);
    }

    public MalformedWebhookException(String detail, Throwable cause) {
        super(detail, cause);
    }
}
