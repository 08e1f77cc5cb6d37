package dev.cascade.build.config;

/** A create that names a config that exists already ({@code 409}). */
public class ConfigConflictException extends RuntimeException {
    public ConfigConflictException(String message) {
        super(message);
    }
}
