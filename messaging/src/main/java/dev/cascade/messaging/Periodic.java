package dev.cascade.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Background work on a timer (dispatchers, drivers, relays), each tick run as {@link BackgroundWork}. The
 * timers stop when the application begins to shut down, so no tick reaches a closing database pool.
 */
@ApplicationScoped
public class Periodic {

    private final Vertx vertx;
    private final List<Long> timers = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    public Periodic(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code work} every {@code period} until shutdown; {@code what} names it in logs. */
    public void every(Duration period, String what, Supplier<Uni<?>> work) {
        timers.add(vertx.setPeriodic(period.toMillis(), id -> {
            if (!stopping) {
                BackgroundWork.run(vertx, what, work);
            }
        }));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        timers.forEach(vertx::cancelTimer);
    }
}
