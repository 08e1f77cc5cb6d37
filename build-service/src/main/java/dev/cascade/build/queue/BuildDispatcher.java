package dev.cascade.build.queue;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.RunPolicy;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Starts queued builds as the run policies and the global concurrency limit allow: looks at the queue every second,
 * and at once when asked after a commit that queued or ended builds; claims what may start (with its
 * {@code cascade.build.started} event and a lease) and hands each claimed build to the {@link BuildRunner}.
 */
@ApplicationScoped
public class BuildDispatcher {

    private final QueueSettings settings;
    private final BuildLeases leases;
    private final BuildConfigs configs;
    private final BuildEvents events;
    private final BuildRunner runner;
    private final OutboxRelay relay;
    private final Vertx vertx;

    private final AtomicBoolean dispatching = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public BuildDispatcher(QueueSettings settings, BuildLeases leases, BuildConfigs configs, BuildEvents events, BuildRunner runner,
                           OutboxRelay relay, Vertx vertx) {
        this.settings = settings;
        this.leases = leases;
        this.configs = configs;
        this.events = events;
        this.runner = runner;
        this.relay = relay;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(Duration.ofSeconds(1), "build queue", this::dispatch);
    }

    /**
     * Asks the dispatcher to look at the queue now, and the outbox relay to publish the events that came with it,
     * after a commit that queued or ended builds; neither waits for its next poll.
     */
    public void dispatchSoon() {
        relay.relaySoon();
        onSafeContext(this::dispatch);
    }

    private void onSafeContext(Supplier<Uni<?>> work) {
        BackgroundWork.run(vertx.getDelegate(), "build queue", work);
    }

    private Uni<Void> dispatch() {
        if (runner.unavailable().isPresent()) {
            return Uni.createFrom().voidItem(); // builds stay queued; readiness says why
        }
        if (!dispatching.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(this::claimNext)
                .chain(claimed -> {
                    if (!claimed.isEmpty()) {
                        relay.relaySoon();
                    }
                    // each build on its own context, so their sessions never meet
                    claimed.forEach(b -> {
                        leases.runs(b.id);
                        onSafeContext(() -> run(b));
                    });
                    return Uni.createFrom().voidItem();
                })
                .eventually(() -> {
                    dispatching.set(false);
                    if (again.getAndSet(false)) {
                        dispatchSoon();
                    }
                });
    }

    /** Runs a claimed build; once it has ended here, its lease is let go and the queue looked at again. */
    private Uni<Void> run(Build build) {
        return runner.run(build)
                .eventually(() -> leases.release(build.id))
                .eventually(this::dispatchSoon)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Starts what may start: within the global limit, one at a time per Serial config, oldest first. One instance
     * claims at a time, and takes a lease on what it claims.
     */
    private Uni<List<Build>> claimNext() {
        return leases.lockClaims().chain(() -> Build.<Build>list("status = ?1", BuildStatus.STARTED)).chain(running -> {
            int free = settings.concurrency() - running.size();
            if (free <= 0) {
                return Uni.createFrom().item(List.<Build>of());
            }
            Set<String> busy = new HashSet<>(running.stream().map(b -> b.config).toList());
            return Build.<Build>find("""
                            from Build b where b.status = ?1 and not exists (
                                select 1 from BuildPrerequisite p, Build parent
                                where p.buildId = b.id and parent.id = p.prerequisiteId and parent.status <> ?2)
                            order by b.createdAt""", BuildStatus.QUEUED, BuildStatus.SUCCEEDED).page(0, 200).list()
                    .chain(queued -> BuildConfig.<BuildConfig>list("name in ?1", queued.stream().map(b -> b.config).distinct().toList())
                            .map(found -> {
                                Map<String, BuildConfig> byName = new HashMap<>();
                                found.forEach(c -> byName.put(c.name, c));
                                List<Build> chosen = new ArrayList<>();
                                for (Build b : queued) {
                                    if (chosen.size() >= free) {
                                        break;
                                    }
                                    BuildConfig c = byName.get(b.config);
                                    boolean parallel = c != null && configs.runPolicy(c) == RunPolicy.PARALLEL;
                                    if (parallel || busy.add(b.config)) {
                                        chosen.add(b);
                                    }
                                }
                                return chosen;
                            }))
                    .call(chosen -> Multi.createFrom().iterable(chosen).onItem().transformToUniAndConcatenate(b -> {
                        b.status = BuildStatus.STARTED;
                        b.startedAt = OffsetDateTime.now();
                        b.attempt++;
                        return events.emit(b);
                    }).collect().asList())
                    .call(leases::take);
        });
    }
}
