package dev.cascade.messaging;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Background work on a timer (dispatchers, drivers, relays), each tick run as {@link BackgroundWork}. A tick that
 * comes while the work's previous run has not ended is skipped: a run that waits (for a lock, a connection, a slow
 * server) never has more runs of itself pile up behind it, each holding a database connection, until the pool is
 * empty for everything else. A run that goes on for longer than {@link #LONG_RUN} is logged once. The timers stop
 * when the application begins to shut down, so no tick reaches a closing database pool.
 */
@ApplicationScoped
public class Periodic {

    /** How long a run may take before its skipped ticks are worth a warning. */
    static final Duration LONG_RUN = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final List<Long> timers = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    public Periodic(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code work} every {@code period} until shutdown, one run at a time; {@code what} names it in logs. */
    public void every(Duration period, String what, Supplier<Uni<?>> work) {
        AtomicReference<Run> current = new AtomicReference<>();
        timers.add(vertx.setPeriodic(period.toMillis(), id -> {
            if (stopping) {
                return;
            }
            Run running = current.compareAndExchange(null, new Run(Instant.now()));
            if (running != null) {
                running.warnIfLong(what);
                return;
            }
            BackgroundWork.run(vertx, what, () -> Uni.createFrom().deferred(work).eventually(() -> current.set(null)));
        }));
    }

    /** One run of a periodic work, from its start. */
    private static final class Run {
        private final Instant started;
        private final AtomicBoolean warned = new AtomicBoolean();

        Run(Instant started) {
            this.started = started;
        }

        void warnIfLong(String what) {
            Duration running = Duration.between(started, Instant.now());
            if (running.compareTo(LONG_RUN) > 0 && warned.compareAndSet(false, true)) {
                Log.warnf("%s: one run has gone on for %d s; its next runs wait for it to end", what, running.toSeconds());
            }
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        timers.forEach(vertx::cancelTimer);
    }
}
