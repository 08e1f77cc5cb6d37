package dev.cascade.registry;

/**
 * A registry could not answer what was asked of it: a tag's digest could not be resolved (the tag does not exist),
 * or the registry refused, answered something else or could not be reached. The message names the image and the
 * cause, and never a credential or token.
 */
public class RegistryLookupException extends RuntimeException {

    public RegistryLookupException(String message) {
        super(message);
    }

    public RegistryLookupException(String message, Throwable cause) {
        super(message, cause);
    }
}
