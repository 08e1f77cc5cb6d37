package dev.cascade.build.queue;

import io.quarkus.logging.Log;
import java.util.List;
import java.util.function.Function;

/** Log lines about builds queued or skipped together. */
final class ManyBuilds {

    /** Up to this many builds queued or skipped together are logged one line each. */
    private static final int LOGGED_ONE_BY_ONE = 20;

    private ManyBuilds() {
    }

    /**
     * Logs one line per build, or for many builds (a large cascade) one summary line and the lines at debug level:
     * the cascade's plan is logged already, and a thousand lines took about as long as the statements that stored them.
     */
    static void log(List<Build> builds, String what, Function<Build, String> line) {
        if (builds.size() <= LOGGED_ONE_BY_ONE) {
            builds.forEach(b -> Log.info(line.apply(b)));
            return;
        }
        Log.infof("%d builds %s, %s #%d to %s #%d (one by one at debug level)", builds.size(), what,
                builds.get(0).config, builds.get(0).number, builds.get(builds.size() - 1).config, builds.get(builds.size() - 1).number);
        if (Log.isDebugEnabled()) {
            builds.forEach(b -> Log.debug(line.apply(b)));
        }
    }
}
