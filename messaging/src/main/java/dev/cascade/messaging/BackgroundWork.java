package dev.cascade.messaging;

import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs reactive work that no request or message started (timers, dispatchers) the way a request runs:
 * on a fresh duplicated Vert.x context marked safe, which Hibernate Reactive requires. Failures are
 * logged; the next tick tries again.
 */
public final class BackgroundWork {

    private BackgroundWork() {
    }

    public static void run(Vertx vertx, String what, Supplier<Uni<?>> work) {
        Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(ctx, true);
        ctx.runOnContext(v -> work.get().subscribe().with(x -> {
        }, f -> Log.warnf(f, "%s: %s", what, f.getMessage())));
    }
}
