package dev.cascade.trigger.registry;

/** The registry does not have the tag a delivery reported: the delivery's claim, not the registry, is at fault. */
public class TagNotFoundException extends RegistryLookupException {

    public TagNotFoundException(String message) {
        super(message);
    }
}
