package dev.cascade.registry;

/** The registry has no manifest under the tag asked about: whoever named the tag, not the registry, is at fault. */
public class TagNotFoundException extends RegistryLookupException {

    public TagNotFoundException(String message) {
        super(message, 404, null);
    }
}
