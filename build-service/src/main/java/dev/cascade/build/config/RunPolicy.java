package dev.cascade.build.config;

import java.util.Arrays;
import java.util.Optional;

/** How builds of one config may overlap, as OpenShift's BuildConfig run policies. */
public enum RunPolicy {
    /** One at a time, in order. */
    SERIAL("Serial"),
    /** As many at once as the global limit allows. */
    PARALLEL("Parallel"),
    /** One at a time; queued builds are cancelled when a newer one is queued. */
    SERIAL_LATEST_ONLY("SerialLatestOnly");

    private final String wireName;

    RunPolicy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RunPolicy> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }
}
