package dev.cascade.build.queue;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Starts queued builds as the run policies, the global concurrency limit and the queue classes allow: looks at the queue every second,
 * and at once when asked after a commit that queued or ended builds; claims what may start (with its
 * {@code cascade.build.started} event and a lease) and hands each claimed build to the {@link BuildRunner}.
 */
@ApplicationScoped
public class BuildDispatcher {

    private final QueueSettings settings;
    private final BuildLeases leases;
    private final QueueReader reader;
    private final BuildEvents events;
    private final BuildRunner runner;
    private final OutboxRelay relay;
    private final Vertx vertx;

    private final AtomicBoolean dispatching = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public BuildDispatcher(QueueSettings settings, BuildLeases leases, QueueReader reader, BuildEvents events, BuildRunner runner,
                           OutboxRelay relay, Vertx vertx) {
        this.settings = settings;
        this.leases = leases;
        this.reader = reader;
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
     * Starts what may start, as {@link ClaimPolicy} decides: interactive builds first, cascades within their share and
     * pace, one at a time per Serial config, oldest first. One instance claims at a time (the claiming transaction holds
     * an advisory lock), and takes a lease on what it claims, in the same transaction.
     */
    private Uni<List<Build>> claimNext() {
        ClaimPolicy policy = ClaimPolicy.of(settings);
        return leases.lockClaims()
                .chain(() -> policy.maxPerMinute() > 0 ? reader.startedLastMinute() : Uni.createFrom().item(Map.<UUID, Integer>of()))
                .chain(started -> reader.read(started.entrySet().stream().filter(e -> e.getValue() >= policy.maxPerMinute())
                        .map(Map.Entry::getKey).toList(), started))
                .chain(snapshot -> {
                    if (snapshot.running().size() >= policy.capacity() || snapshot.ready().isEmpty()) {
                        return Uni.createFrom().item(List.<Build>of());
                    }
                    List<UUID> chosen = policy.decide(snapshot.running(), snapshot.ready(), snapshot.startedLastMinute()).chosen().stream()
                            .map(ClaimPolicy.Ready::id).toList();
                    if (chosen.isEmpty()) {
                        return Uni.createFrom().item(List.<Build>of());
                    }
                    return Build.<Build>list("id in ?1 and status = ?2", chosen, BuildStatus.QUEUED).map(found -> {
                        Map<UUID, Build> byId = new HashMap<>();
                        found.forEach(b -> byId.put(b.id, b));
                        return chosen.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
                    });
                })
                .call(chosen -> Multi.createFrom().iterable(chosen).onItem().transformToUniAndConcatenate(b -> {
                    b.status = BuildStatus.STARTED;
                    b.startedAt = OffsetDateTime.now();
                    b.attempt++;
                    return events.emit(b);
                }).collect().asList())
                .call(leases::take);
    }
}
