package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.RunPolicy;
import dev.cascade.build.executor.BuildJob;
import dev.cascade.build.executor.BuildOutcome;
import dev.cascade.build.executor.BuildSettings;
import dev.cascade.build.executor.BuildStepException;
import dev.cascade.build.executor.BuildahExecutor;
import dev.cascade.build.graph.DependencyGraph;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.exception.ConstraintViolationException;

/**
 * The build queue: queues builds (at most one per config and pipeline), starts them as the run policies
 * and the global concurrency limit allow, runs them on worker threads, and records every transition with
 * its {@code cascade.build.*} event through the outbox, in one transaction.
 */
@ApplicationScoped
public class Builds {

    private final BuildahExecutor executor;
    private final BuildSettings settings;
    private final Outbox outbox;
    private final ObjectMapper json;
    private final DependencyGraph graph;
    private final BuildConfigs configs;
    private final Vertx vertx;
    private final AtomicBoolean dispatching = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public Builds(BuildahExecutor executor, BuildSettings settings, Outbox outbox, ObjectMapper json, DependencyGraph graph,
                  BuildConfigs configs, Vertx vertx) {
        this.executor = executor;
        this.settings = settings;
        this.outbox = outbox;
        this.json = json;
        this.graph = graph;
        this.configs = configs;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started, Periodic periodic) throws IOException {
        Files.createDirectories(settings.logDir());
        onSafeContext(this::requeueInterrupted);
        periodic.every(Duration.ofSeconds(1), "build queue", this::dispatch);
    }

    /**
     * Queues a build of {@code config}; when the config already has a build in this pipeline, that one is
     * returned instead (a config builds at most once per pipeline). Runs in the caller's transaction.
     */
    public Uni<Build> queue(BuildConfig config, String revision, String reason, Causation causation) {
        return queue(config, revision, reason, causation, Map.of());
    }

    /**
     * Queues a build that starts only after the builds in {@code after} (parent config to its build in the
     * same pipeline) have succeeded, and is skipped when one of them does not.
     */
    public Uni<Build> queue(BuildConfig config, String revision, String reason, Causation causation, Map<String, Build> after) {
        return Build.<Build>find("config = ?1 and pipelineId = ?2", config.name, causation.pipelineId()).firstResult()
                .chain(existing -> existing != null ? Uni.createFrom().item(existing) : insert(config, revision, reason, causation, after));
    }

    private Uni<Build> insert(BuildConfig config, String revision, String reason, Causation causation, Map<String, Build> after) {
        BuildConfigSpec spec = configs.read(config);
        return Panache.getSession().chain(session -> session
                        .createSelectionQuery("select coalesce(max(b.number), 0) from Build b where b.config = :config", Integer.class)
                        .setParameter("config", config.name)
                        .getSingleResult())
                .chain(max -> {
                    Build b = new Build();
                    b.id = UUID.randomUUID();
                    b.config = config.name;
                    b.number = (max == null ? 0 : max) + 1;
                    b.status = BuildStatus.QUEUED;
                    b.reason = reason;
                    b.ref = revision;
                    b.commit = revision != null && revision.matches("[0-9a-f]{40}") ? revision : null;
                    b.image = config.outputImage;
                    b.pipelineId = causation.pipelineId();
                    b.causationId = causation.causationId();
                    b.afterConfigs = after.isEmpty() ? null : String.join(",", after.keySet());
                    b.createdAt = OffsetDateTime.now();
                    return b.<Build>persist();
                })
                .call(b -> Multi.createFrom().iterable(after.values()).onItem().transformToUniAndConcatenate(parent -> {
                    BuildPrerequisite p = new BuildPrerequisite();
                    p.buildId = b.id;
                    p.prerequisiteId = parent.id;
                    return p.persist();
                }).collect().asList())
                .call(b -> emit(b))
                .call(b -> RunPolicy.fromWire(spec.runPolicy()).orElse(RunPolicy.SERIAL) == RunPolicy.SERIAL_LATEST_ONLY
                        ? cancelOlderQueued(b) : Uni.createFrom().voidItem())
                .invoke(b -> Log.infof("build %s #%d queued: %s (pipeline %s)", b.config, b.number, reason, b.pipelineId))
                // a parent that has already ended without success (a build reused from earlier in the pipeline)
                .call(b -> after.values().stream().filter(p -> p.status.isFinal() && p.status != BuildStatus.SUCCEEDED).findFirst()
                        .map(p -> finish(b, BuildStatus.SKIPPED, skipReason(p)))
                        .orElse(Uni.createFrom().voidItem()));
    }

    private Uni<Void> cancelOlderQueued(Build newest) {
        return Build.<Build>list("config = ?1 and status = ?2 and id <> ?3", newest.config, BuildStatus.QUEUED, newest.id)
                .chain(older -> Multi.createFrom().iterable(older)
                        .onItem().transformToUniAndConcatenate(b -> finish(b, BuildStatus.CANCELLED,
                                "superseded by build #" + newest.number + " (SerialLatestOnly)"))
                        .collect().asList().replaceWithVoid());
    }

    /** Cancels a queued build at once, or stops a running one; false when it had ended already. */
    public Uni<Boolean> cancel(UUID id) {
        return Panache.withTransaction(() -> Build.<Build>findById(id).chain(b -> {
            if (b == null || b.status.isFinal()) {
                return Uni.createFrom().item(false);
            }
            if (b.status == BuildStatus.QUEUED) {
                return finish(b, BuildStatus.CANCELLED, "cancelled by request").replaceWith(true);
            }
            executor.cancel(b.id);
            return Uni.createFrom().item(true);
        }));
    }

    /** Asks the dispatcher to look at the queue now (after a commit that queued builds). */
    public void dispatchSoon() {
        onSafeContext(this::dispatch);
    }

    private void onSafeContext(java.util.function.Supplier<Uni<?>> work) {
        BackgroundWork.run(vertx.getDelegate(), "build queue", work);
    }

    private Uni<Void> dispatch() {
        if (!dispatching.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(this::claimNext)
                .chain(claimed -> {
                    // each build on its own context, so their sessions never meet
                    claimed.forEach(b -> onSafeContext(() -> run(b)));
                    return Uni.createFrom().voidItem();
                })
                .eventually(() -> {
                    dispatching.set(false);
                    if (again.getAndSet(false)) {
                        dispatchSoon();
                    }
                });
    }

    /** Starts what may start: within the global limit, one at a time per Serial config, oldest first. */
    private Uni<List<Build>> claimNext() {
        return Build.<Build>list("status = ?1", BuildStatus.STARTED).chain(running -> {
            int free = settings.concurrency() - running.size();
            if (free <= 0) {
                return Uni.createFrom().item(List.<Build>of());
            }
            java.util.Set<String> busy = new java.util.HashSet<>(running.stream().map(b -> b.config).toList());
            return Build.<Build>find("""
                            from Build b where b.status = ?1 and not exists (
                                select 1 from BuildPrerequisite p, Build parent
                                where p.buildId = b.id and parent.id = p.prerequisiteId and parent.status <> ?2)
                            order by b.createdAt""", BuildStatus.QUEUED, BuildStatus.SUCCEEDED).page(0, 200).list()
                    .chain(queued -> BuildConfig.<BuildConfig>list("name in ?1", queued.stream().map(b -> b.config).distinct().toList())
                            .map(found -> {
                                Map<String, BuildConfig> byName = new java.util.HashMap<>();
                                found.forEach(c -> byName.put(c.name, c));
                                List<Build> chosen = new java.util.ArrayList<>();
                                for (Build b : queued) {
                                    if (chosen.size() >= free) {
                                        break;
                                    }
                                    BuildConfig c = byName.get(b.config);
                                    boolean parallel = c != null && RunPolicy.fromWire(configs.read(c).runPolicy()).orElse(RunPolicy.SERIAL) == RunPolicy.PARALLEL;
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
                        return emit(b);
                    }).collect().asList());
        });
    }

    /** Runs a started build on a worker thread, then records how it ended. */
    private Uni<Void> run(Build build) {
        Log.infof("build %s #%d started (attempt %d)", build.config, build.number, build.attempt);
        Path logFile = settings.logDir().resolve(build.id + ".log");
        return Panache.withSession(() -> BuildConfig.<BuildConfig>findById(build.config))
                .chain(config -> {
                    if (config == null) {
                        return complete(build.id, null, new BuildStepException("the build config was deleted", false), logFile);
                    }
                    BuildConfigSpec spec = configs.read(config);
                    String revision = build.commit != null ? build.commit : build.ref != null ? build.ref : spec.source().branch();
                    BuildJob job = new BuildJob(build.id, spec, revision, Duration.ofSeconds(spec.timeoutSeconds()));
                    return vertx.executeBlocking(Uni.createFrom().item(() -> {
                                try (OutputStream out = Files.newOutputStream(logFile, java.nio.file.StandardOpenOption.CREATE,
                                        java.nio.file.StandardOpenOption.APPEND)) {
                                    return executor.execute(job, out);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new BuildStepException("interrupted", true);
                                }
                            }), false)
                            .onItemOrFailure().transformToUni((outcome, failure) -> complete(build.id, outcome, failure, logFile));
                })
                .onFailure().invoke(f -> Log.errorf(f, "build %s #%d could not be recorded", build.config, build.number))
                .eventually(this::dispatchSoon)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> complete(UUID id, BuildOutcome outcome, Throwable failure, Path logFile) {
        return Panache.withTransaction(() -> Build.<Build>findById(id).chain(b -> {
                    b.log = readLog(logFile);
                    if (failure == null) {
                        b.commit = outcome.commit();
                        b.digest = outcome.digest();
                        b.baseDigests = writeMap(outcome.baseDigests());
                        Log.infof("build %s #%d succeeded: %s@%s", b.config, b.number, b.image, b.digest);
                        return finish(b, BuildStatus.SUCCEEDED, null)
                                .call(() -> graph.recordBuild(b.config, outcome.baseDigests(), b.image, b.digest, b.pipelineId, b.id));
                    }
                    boolean cancelled = failure instanceof BuildStepException bse && bse.cancelled();
                    String reason = failure instanceof BuildStepException ? failure.getMessage()
                            : failure.getClass().getSimpleName() + ": " + failure.getMessage();
                    Log.infof("build %s #%d %s: %s", b.config, b.number, cancelled ? "cancelled" : "failed", reason);
                    return finish(b, cancelled ? BuildStatus.CANCELLED : BuildStatus.FAILED, cancelled ? "cancelled by request" : reason);
                }).chain(() -> prune(id)))
                // a conflicting write (two builds of one config ending together) is tried again, so no build stays started
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2)).atMost(5)
                .invoke(() -> {
                    try {
                        Files.deleteIfExists(logFile);
                    } catch (IOException ignored) {
                        // removed with the log directory eventually
                    }
                });
    }

    /** Keeps the configured number of finished builds per config, newest first. */
    private Uni<Void> prune(UUID finishedId) {
        return Build.<Build>findById(finishedId).chain(b -> BuildConfig.<BuildConfig>findById(b.config).chain(config -> {
            if (config == null) {
                return Uni.createFrom().voidItem();
            }
            BuildConfigSpec.History keep = configs.read(config).history();
            return pruneOne(b.config, List.of(BuildStatus.SUCCEEDED), keep.successful())
                    .chain(() -> pruneOne(b.config, List.of(BuildStatus.FAILED, BuildStatus.CANCELLED, BuildStatus.SKIPPED), keep.failed()));
        }));
    }

    private Uni<Void> pruneOne(String config, List<BuildStatus> statuses, int keep) {
        return Build.<Build>find("config = ?1 and status in ?2 order by number desc", config, statuses).list()
                .chain(list -> list.size() <= keep ? Uni.createFrom().voidItem()
                        : Multi.createFrom().iterable(list.subList(keep, list.size()))
                                .onItem().transformToUniAndConcatenate(Build::delete).collect().asList().replaceWithVoid());
    }

    /** The log of a running build so far, from its file; null when it has none (yet). */
    public Optional<String> liveLog(UUID id) {
        Path file = settings.logDir().resolve(id + ".log");
        return Files.exists(file) ? Optional.of(readLog(file)) : Optional.empty();
    }

    private static String readLog(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private Uni<Void> emit(Build b) {
        BuildEvent event = new BuildEvent(b.id.toString(), b.config, b.status, b.commit, b.image, b.digest,
                readMap(b.baseDigests), b.reason, OffsetDateTime.now().toInstant(), b.number,
                b.afterConfigs == null ? List.of() : List.of(b.afterConfigs.split(",")));
        return outbox.add(Topics.BUILDS, b.config, b.status.eventType(), new Causation(b.pipelineId, b.causationId), b.config, event)
                .replaceWithVoid();
    }

    /**
     * Ends a build; a success keeps the reason it was queued for, other endings say why they ended. A build
     * that ends without success skips the queued builds waiting for it, and theirs in turn.
     */
    Uni<Void> finish(Build b, BuildStatus status, String reason) {
        b.status = status;
        if (reason != null) {
            b.reason = reason;
        }
        b.finishedAt = OffsetDateTime.now();
        Uni<Void> emitted = emit(b);
        if (status == BuildStatus.SUCCEEDED || !status.isFinal()) {
            return emitted;
        }
        return emitted.chain(() -> Build.<Build>list("""
                        from Build b where b.status = ?1 and b.id in (select p.buildId from BuildPrerequisite p where p.prerequisiteId = ?2)
                        order by b.config""", BuildStatus.QUEUED, b.id))
                .chain(waiting -> Multi.createFrom().iterable(waiting)
                        .onItem().transformToUniAndConcatenate(child -> {
                            Log.infof("build %s #%d skipped: %s #%d %s", child.config, child.number, b.config, b.number,
                                    status.name().toLowerCase(java.util.Locale.ROOT));
                            return finish(child, BuildStatus.SKIPPED, skipReason(b));
                        })
                        .collect().asList().replaceWithVoid());
    }

    /** Why a build waiting for {@code parent} is skipped; a skipped parent passes on the reason that named the cause. */
    private static String skipReason(Build parent) {
        if (parent.status == BuildStatus.SKIPPED && parent.reason != null) {
            return parent.reason;
        }
        return "skipped: parent " + parent.config + " #" + parent.number + " " + parent.status.name().toLowerCase(java.util.Locale.ROOT)
                + (parent.reason == null ? "" : " (" + parent.reason + ")");
    }

    private Uni<Void> requeueInterrupted() {
        return Panache.withTransaction(() -> Build.<Build>list("status = ?1", BuildStatus.STARTED)
                .chain(list -> Multi.createFrom().iterable(list).onItem().transformToUniAndConcatenate(b -> {
                    Log.warnf("build %s #%d was running when build-service stopped; queued again", b.config, b.number);
                    b.status = BuildStatus.QUEUED;
                    b.startedAt = null;
                    return Uni.createFrom().voidItem();
                }).collect().asList())).replaceWithVoid();
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> readMap(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    String writeMap(Map<String, String> map) {
        try {
            return json.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
