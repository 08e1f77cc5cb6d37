package dev.cascade.messaging;

/** A message that no retry can make processable; it goes to the dead-letter topic with this reason. */
public class UnprocessableEventException extends RuntimeException {

    public UnprocessableEventException(String reason) {
        super(reason);
    }

    public UnprocessableEventException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
