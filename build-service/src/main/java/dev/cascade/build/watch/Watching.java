package dev.cascade.build.watch;

import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.buildstep.BuildahSettings;
import dev.cascade.messaging.Periodic;
import dev.cascade.registry.RegistryClient;
import io.smallrye.mutiny.Uni;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;

/**
 * This instance's watcher of image tags: every {@code cascade.watch.tick} it claims the tags that are due and checks them
 * ({@link TagWatcher}). Registries builds push to insecurely ({@code cascade.build.insecure-registries}) are asked over
 * plain HTTP, as builds reach them.
 */
@ApplicationScoped
class Watching {

    private final TagWatcher watcher;
    private final WatchSettings settings;

    Watching(Vertx vertx, Pool pool, RegistryClient registries, ExecutorSettings executor, WatchSettings settings, WatchBudgets budgets,
             WatchRecords records) {
        this.settings = settings;
        String host = System.getenv().getOrDefault("HOSTNAME", "build-service");
        // every watched tag is one the graph or a workload uses
        this.watcher = new TagWatcher(vertx, pool, registries.withPlainHttp(r -> BuildahSettings.listed(executor.insecureRegistries(), r))
                .withAllowed(r -> Uni.createFrom().item(true)),
                settings, budgets, records, host + "/" + UUID.randomUUID().toString().substring(0, 8));
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        if (!settings.enabled()) {
            Log.info("watched images: not watched (cascade.watch.enabled=false)");
            return;
        }
        Log.infof("watched images: checked by %s every %s (registries with webhooks every %s)", watcher.owner(), settings.interval(),
                settings.webhookInterval());
        periodic.every(settings.tick(), "watched image checks", watcher::round);
    }
}
