package dev.cascade.build.queue;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** How the build queue runs builds: how many at once, how long an instance holds one, and where their logs go meanwhile. */
@ConfigMapping(prefix = "cascade.build")
public interface QueueSettings {

    /** Where logs of running builds are written; they move to the database when the build ends. */
    @WithDefault("${java.io.tmpdir}/cascade-build-logs")
    Path logDir();

    /**
     * The most of a build's output that is kept, streamed and stored ({@code CASCADE_BUILD_MAX_LOG_SIZE}); beyond it the
     * log says it was cut and the build goes on ({@link LogLimit}).
     */
    @WithDefault("10M")
    MemorySize maxLogSize();

    /** Builds running at once across all configs. */
    @WithDefault("2")
    int concurrency();

    /**
     * How long a started build stays with the instance running it unless that instance renews the lease (it does so
     * three times a lease while it runs the build). A build whose lease ran out is queued again.
     */
    @WithDefault("30s")
    Duration lease();

    /**
     * The share of {@link #concurrency()} that cascade builds may hold while interactive builds (git pushes, by hand)
     * run or wait: {@code floor(concurrency × share)} slots, at least one unless the share is 0. When no interactive
     * build runs or waits, cascades use every slot.
     */
    @WithDefault("0.5")
    double cascadeShare();

    /** At most this many builds of one cascade (pipeline) start within a minute; 0 leaves cascades unpaced. */
    @WithDefault("0")
    int cascadeMaxPerMinute();

    /** The slots cascades may hold while interactive builds run or wait. */
    default int cascadeSlots() {
        double share = Math.max(0, Math.min(1, cascadeShare()));
        return share == 0 ? 0 : Math.max(1, (int) Math.floor(concurrency() * share));
    }
}
