package dev.cascade.trigger.pipeline;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Tells live readers, on every replica, that a pipeline changed. The transaction that changes a pipeline
 * calls {@link #announce}, a PostgreSQL {@code NOTIFY} that is delivered only if it commits; each replica
 * {@code LISTEN}s on one connection and calls the listeners registered for that pipeline.
 *
 * <p>A notification says only "look again": readers query what changed after the last revision they sent,
 * so a lost or repeated notification costs nothing but a query. After the listening connection is
 * re-established every listener is called, since notifications sent meanwhile are gone.
 */
@ApplicationScoped
public class PipelineNotifications {

    /** The PostgreSQL notification channel; the payload is the pipeline id. */
    public static final String CHANNEL = "cascade_pipeline";

    private final Vertx vertx;
    private final Optional<String> url;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Map<UUID, Set<Runnable>> listeners = new ConcurrentHashMap<>();
    private final Set<java.util.function.Consumer<UUID>> everyPipeline = ConcurrentHashMap.newKeySet();
    private volatile PgSubscriber subscriber;

    public PipelineNotifications(Vertx vertx,
                                 @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
                                 @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                                 @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** In the caller's transaction: announces a change of the pipeline, delivered when (and if) it commits. */
    public Uni<Void> announce(UUID pipelineId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT 1 FROM pg_notify('" + CHANNEL + "', ?1)")
                        .setParameter(1, pipelineId.toString())
                        .getSingleResult())
                .replaceWithVoid();
    }

    /**
     * Calls {@code onChange} whenever the pipeline may have changed, on a Vert.x event-loop thread, until
     * the returned handle is run.
     */
    public Runnable listen(UUID pipelineId, Runnable onChange) {
        listeners.computeIfAbsent(pipelineId, id -> ConcurrentHashMap.newKeySet()).add(onChange);
        return () -> listeners.computeIfPresent(pipelineId, (id, set) -> {
            set.remove(onChange);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Calls {@code onChange} with the id of every pipeline that may have changed (null after the listening
     * connection was re-established: anything may have), until the returned handle is run.
     */
    public Runnable listenToAll(java.util.function.Consumer<UUID> onChange) {
        everyPipeline.add(onChange);
        return () -> everyPipeline.remove(onChange);
    }

    void start(@Observes StartupEvent started) {
        if (url.isEmpty()) {
            Log.warn("no reactive datasource URL: live pipeline events only show what a reader loads itself");
            return;
        }
        // Quarkus accepts a list of URLs and a vertx-reactive: prefix; one connection to the first is all LISTEN needs
        String first = url.get().split(",")[0].trim().replaceFirst("^vertx-reactive:", "");
        PgConnectOptions options = PgConnectOptions.fromUri(first);
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        options.setMetricsName("pipeline-notifications"); // its own name in /q/metrics, beside the pool's
        PgSubscriber s = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> 1000L); // forever, once a second
        s.channel(CHANNEL)
                .subscribeHandler(this::callEveryone)
                .handler(this::call);
        subscriber = s;
        s.connect()
                .onFailure().invoke(f -> Log.warnf("pipeline notifications: cannot listen yet (%s); retrying", f.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10)).indefinitely()
                .subscribe().with(ok -> Log.debug("pipeline notifications: listening"),
                        f -> Log.errorf(f, "pipeline notifications: gave up listening"));
    }

    void stop(@Observes ShutdownEvent stopping) {
        PgSubscriber s = subscriber;
        if (s != null) {
            s.closeAndForget();
        }
    }

    private void call(String payload) {
        UUID id;
        try {
            id = UUID.fromString(payload);
        } catch (IllegalArgumentException e) {
            Log.debugf("pipeline notifications: ignoring payload %s", payload);
            return;
        }
        everyPipeline.forEach(l -> runSafely(() -> l.accept(id)));
        Set<Runnable> forPipeline = listeners.get(id);
        if (forPipeline != null) {
            forPipeline.forEach(PipelineNotifications::runSafely);
        }
    }

    private void callEveryone() {
        listeners.values().forEach(set -> set.forEach(PipelineNotifications::runSafely));
        everyPipeline.forEach(l -> runSafely(() -> l.accept(null)));
    }

    private static void runSafely(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            Log.warnf(e, "pipeline notifications: a listener failed");
        }
    }
}
