package dev.cascade.trigger.registry;

/**
 * A tag's digest could not be resolved from its registry: the tag does not exist, the registry refused or could
 * not be reached. The message names the image and the cause, and never a credential or token.
 */
public class RegistryLookupException extends RuntimeException {

    public RegistryLookupException(String message) {
        super(message);
    }

    public RegistryLookupException(String message, Throwable cause) {
        super(message, cause);
    }
}
