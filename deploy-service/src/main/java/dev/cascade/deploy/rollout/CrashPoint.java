package dev.cascade.deploy.rollout;

import io.quarkus.logging.Log;

/**
 * A test hook, and nothing else: places in the driver where the reliability tests make deploy-service die as a
 * SIGKILL would (no shutdown hook, no transaction committed), to prove that a rollout still reaches its end after a
 * crash at the worst moment. A crash point is armed only by the environment variable
 * {@code CASCADE_TEST_CRASH_POINT} (or the system property {@code cascade.test.crash-point}) naming it; nothing sets
 * it outside tests.
 */
enum CrashPoint {

    /** Right after a workload was patched to the new image, before the rollout's new state is committed. */
    AFTER_PATCH("after-patch");

    private static final String ARMED = System.getProperty("cascade.test.crash-point", System.getenv("CASCADE_TEST_CRASH_POINT"));

    private final String name;

    CrashPoint(String name) {
        this.name = name;
    }

    /** Halts the JVM at once when this crash point is armed; does nothing otherwise. */
    void reach() {
        if (name.equals(ARMED)) {
            Log.warnf("test crash point %s reached: halting", name);
            Runtime.getRuntime().halt(137);
        }
    }
}
