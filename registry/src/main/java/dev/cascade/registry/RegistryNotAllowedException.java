package dev.cascade.registry;

/**
 * A lookup that was not sent: the registry, its token service or a redirect's target is not one Cascade may ask
 * ({@link RegistryAccess}). Nothing was requested from the host it names.
 */
public class RegistryNotAllowedException extends RegistryLookupException {

    public RegistryNotAllowedException(String message) {
        super(message);
    }
}
