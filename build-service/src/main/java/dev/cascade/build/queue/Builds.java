package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.RunPolicy;
import dev.cascade.build.executor.BuildJob;
import dev.cascade.build.executor.BuildOutcome;
import dev.cascade.build.process.BuildStepException;
import dev.cascade.build.executor.BuildahExecutor;
import dev.cascade.build.graph.DependencyGraph;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.DatabaseUnavailable;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.OutboxRelay;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    private final QueueSettings settings;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final ObjectMapper json;
    private final DependencyGraph graph;
    private final BuildConfigs configs;
    private final Vertx vertx;
    private final BuildLeases leases;
    /** Up to this many builds queued or skipped together are logged one line each. */
    private static final int LOGGED_ONE_BY_ONE = 20;

    private final AtomicBoolean dispatching = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public Builds(BuildahExecutor executor, QueueSettings settings, Outbox outbox, OutboxRelay relay, ObjectMapper json,
                  DependencyGraph graph, BuildConfigs configs, Vertx vertx,
                  BuildLeases leases) {
        this.executor = executor;
        this.settings = settings;
        this.outbox = outbox;
        this.relay = relay;
        this.json = json;
        this.graph = graph;
        this.configs = configs;
        this.vertx = vertx;
        this.leases = leases;
    }

    void start(@Observes StartupEvent started, Periodic periodic) throws IOException {
        Files.createDirectories(settings.logDir());
        periodic.every(Duration.ofSeconds(1), "build queue", this::dispatch);
    }

    /**
     * A build to queue.
     *
     * @param config   the config to build
     * @param revision branch or commit to build; null for the config's branch
     * @param reason   what queued it
     * @param after    configs whose builds in the same pipeline must succeed first (those without one are left out)
     */
    public record Request(BuildConfig config, String revision, String reason, List<String> after) {
        public Request {
            after = after == null ? List.of() : List.copyOf(after);
        }
    }

    /**
     * Queues a build of {@code config}; when the config already has a build in this pipeline, that one is
     * returned instead (a config builds at most once per pipeline). Runs in the caller's transaction.
     */
    public Uni<Build> queue(BuildConfig config, String revision, String reason, Causation causation) {
        return queue(List.of(new Request(config, revision, reason, List.of())), causation).map(queued -> queued.get(0));
    }

    /**
     * Queues builds in one pipeline, in the order given (each request after the requests it waits for), and returns
     * each request's build. A config that already has a build in the pipeline keeps it (a config builds at most once
     * per pipeline, which is what stops trigger loops and makes a redelivered trigger queue nothing twice). A new build
     * waits for the pipeline's builds of the configs in its {@code after}, and is skipped at once when one of those has
     * already ended without success.
     *
     * <p>Set-based whatever the number of requests: one query reads the configs' highest build numbers and which of them
     * have a build in the pipeline already (a second loads those builds, when there are any), and the new builds, their
     * prerequisites and their events are inserted with one statement each. Runs in the caller's transaction.
     */
    public Uni<List<Build>> queue(List<Request> requests, Causation causation) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> names = requests.stream().map(r -> r.config().name).distinct().toList();
        return builtSoFar(names, causation.pipelineId()).chain(soFar -> (soFar.inPipeline().isEmpty() ? Uni.createFrom().item(List.<Build>of())
                        : Build.<Build>list("pipelineId = ?1 and config in ?2", causation.pipelineId(), soFar.inPipeline()))
                .chain(existing -> {
                    Map<String, Integer> highest = soFar.highest();
                    Map<String, Build> inPipeline = new HashMap<>();
                    existing.forEach(b -> inPipeline.put(b.config, b));
                    BuildBatch batch = new BuildBatch(json, outbox);
                    List<Build> result = new ArrayList<>(requests.size());
                    List<Build> fresh = new ArrayList<>();
                    OffsetDateTime now = OffsetDateTime.now();
                    for (Request r : requests) {
                        Build b = inPipeline.get(r.config().name);
                        if (b == null) {
                            // a microsecond apart, so the queue's oldest-first order is the order of the requests
                            b = plan(r, causation, highest.merge(r.config().name, 1, Integer::sum), now.plusNanos(1_000L * fresh.size()),
                                    inPipeline, batch);
                            inPipeline.put(b.config, b);
                            fresh.add(b);
                        }
                        result.add(b);
                    }
                    return batch.write()
                            .invoke(() -> logEach(fresh, "queued in pipeline " + causation.pipelineId(), b -> "build " + b.config + " #" + b.number
                                    + (b.status == BuildStatus.SKIPPED ? " queued and skipped: " : " queued: ") + b.reason
                                    + " (pipeline " + b.pipelineId + ")"))
                            .chain(() -> cancelSuperseded(fresh, requests))
                            .replaceWith(result);
                }));
    }

    /**
     * What the configs have built so far.
     *
     * @param highest    each config's highest build number (configs without builds are absent)
     * @param inPipeline the configs with a build in the pipeline already
     */
    private record SoFar(Map<String, Integer> highest, List<String> inPipeline) {
    }

    /** The configs' highest build numbers, and which of them have a build in {@code pipeline} already: one query. */
    private Uni<SoFar> builtSoFar(List<String> configs, UUID pipeline) {
        String names;
        try {
            names = json.writeValueAsString(configs);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalStateException(e));
        }
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                SELECT b.config, max(b.number), bool_or(b.pipeline_id = ?2)
                                FROM build b WHERE b.config IN (SELECT json_array_elements_text(cast(cast(?1 AS text) AS json)))
                                GROUP BY b.config""", Object[].class)
                        .setParameter(1, names)
                        .setParameter(2, pipeline)
                        .getResultList())
                .map(rows -> {
                    Map<String, Integer> highest = new HashMap<>();
                    List<String> inPipeline = new ArrayList<>();
                    for (Object[] row : rows) {
                        highest.put((String) row[0], ((Number) row[1]).intValue());
                        if (Boolean.TRUE.equals(row[2])) {
                            inPipeline.add((String) row[0]);
                        }
                    }
                    return new SoFar(highest, inPipeline);
                });
    }

    /** A new build of a request, recorded in {@code batch} with its prerequisites and events. */
    private Build plan(Request r, Causation causation, int number, OffsetDateTime createdAt, Map<String, Build> inPipeline, BuildBatch batch) {
        Map<String, Build> after = new LinkedHashMap<>();
        r.after().forEach(p -> {
            Build parent = inPipeline.get(p);
            if (parent != null) {
                after.put(p, parent);
            }
        });
        Build b = new Build();
        b.id = UUID.randomUUID();
        b.config = r.config().name;
        b.number = number;
        b.status = BuildStatus.QUEUED;
        b.reason = r.reason();
        b.ref = r.revision();
        b.commit = r.revision() != null && r.revision().matches("[0-9a-f]{40}") ? r.revision() : null;
        b.image = r.config().outputImage;
        b.pipelineId = causation.pipelineId();
        b.causationId = causation.causationId();
        b.afterConfigs = after.isEmpty() ? null : String.join(",", after.keySet());
        b.createdAt = createdAt;
        batch.event(b, event(b));
        // a parent that has already ended without success (a build reused from earlier in the pipeline, or one
        // skipped just now): this one is skipped at once, after its queued event, with the reason passed on
        after.values().stream().filter(p -> p.status.isFinal() && p.status != BuildStatus.SUCCEEDED).findFirst().ifPresent(p -> {
            b.status = BuildStatus.SKIPPED;
            b.reason = skipReason(p);
            b.finishedAt = OffsetDateTime.now();
            batch.event(b, event(b));
        });
        batch.build(b);
        after.values().forEach(p -> batch.prerequisite(b.id, p.id));
        return b;
    }

    /**
     * Logs one line per build, or for many builds (a large cascade) one summary line and the lines at debug level:
     * the cascade's plan is logged already, and a thousand lines took about as long as the statements that stored them.
     */
    private static void logEach(List<Build> builds, String what, java.util.function.Function<Build, String> line) {
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

    /** Under SerialLatestOnly, a newly queued build cancels the config's older queued builds. */
    private Uni<Void> cancelSuperseded(List<Build> fresh, List<Request> requests) {
        Map<String, BuildConfig> byName = new HashMap<>();
        requests.forEach(r -> byName.put(r.config().name, r.config()));
        List<Build> latestOnly = fresh.stream().filter(b -> latestOnly(byName.get(b.config))).toList();
        return Multi.createFrom().iterable(latestOnly).onItem().transformToUniAndConcatenate(this::cancelOlderQueued)
                .collect().asList().replaceWithVoid();
    }

    private boolean latestOnly(BuildConfig c) {
        // a spec that does not name the policy cannot have it, so most specs need not be parsed
        return c.spec.contains(RunPolicy.SERIAL_LATEST_ONLY.wireName())
                && RunPolicy.fromWire(configs.read(c).runPolicy()).orElse(RunPolicy.SERIAL) == RunPolicy.SERIAL_LATEST_ONLY;
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

    /**
     * Asks the dispatcher to look at the queue now, and the outbox relay to publish the events that came with it,
     * after a commit that queued or ended builds; neither waits for its next poll.
     */
    public void dispatchSoon() {
        relay.relaySoon();
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
                    }).collect().asList())
                    .call(leases::take);
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
                .eventually(() -> leases.release(build.id))
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
                // the outcome is known and the build is over: it waits for a database that is away, however long
                .onFailure(DatabaseUnavailable::is).invoke(f -> Log.warnf("build %s: its outcome waits for the database: %s", id, f.getMessage()))
                .onFailure(DatabaseUnavailable::is).retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).indefinitely()
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
        return outbox.add(event(b), new Causation(b.pipelineId, b.causationId))
                .replaceWithVoid();
    }

    /** The {@code cascade.build.*} event of a build's current state. */
    private BuildEvent event(Build b) {
        return new BuildEvent(b.id.toString(), b.config, b.status, b.commit, b.image, b.digest,
                readMap(b.baseDigests), b.reason, OffsetDateTime.now().toInstant(), b.number,
                b.afterConfigs == null ? List.of() : List.of(b.afterConfigs.split(",")));
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
        return emitted.chain(() -> skipWaitingFor(b));
    }

    /**
     * Skips every queued build that waits for {@code ended}, directly or through other queued builds, with the
     * reason that names {@code ended}, and records their events: one statement finds and skips the whole subtree
     * (however large a cascade's), one more inserts the events, in build order.
     */
    private Uni<Void> skipWaitingFor(Build ended) {
        String reason = skipReason(ended);
        OffsetDateTime now = OffsetDateTime.now();
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                WITH RECURSIVE waiting (id) AS (
                                    SELECT p.build_id FROM build_prerequisite p JOIN build c ON c.id = p.build_id
                                    WHERE p.prerequisite_id = ?1 AND c.status = 'QUEUED'
                                    UNION
                                    SELECT p.build_id FROM waiting w JOIN build_prerequisite p ON p.prerequisite_id = w.id
                                    JOIN build c ON c.id = p.build_id
                                    WHERE c.status = 'QUEUED'
                                ), skipped AS (
                                    UPDATE build b SET status = 'SKIPPED', reason = ?2, finished_at = ?3
                                    FROM waiting w WHERE b.id = w.id AND b.status = 'QUEUED'
                                    RETURNING b.*
                                )
                                SELECT cast(id AS text), config, cast(number AS text), commit_sha, image, digest, base_digests,
                                       after_configs, cast(pipeline_id AS text), cast(causation_id AS text)
                                FROM skipped ORDER BY skipped.created_at, skipped.config""", Object[].class)
                        .setParameter(1, ended.id)
                        .setParameter(2, reason)
                        .setParameter(3, now)
                        .getResultList())
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    BuildBatch batch = new BuildBatch(json, outbox);
                    List<Build> skipped = new ArrayList<>(rows.size());
                    for (Object[] row : rows) {
                        Build child = new Build();
                        child.id = UUID.fromString((String) row[0]);
                        child.config = (String) row[1];
                        child.number = Integer.parseInt((String) row[2]);
                        child.commit = (String) row[3];
                        child.image = (String) row[4];
                        child.digest = (String) row[5];
                        child.baseDigests = (String) row[6];
                        child.afterConfigs = (String) row[7];
                        child.pipelineId = UUID.fromString((String) row[8]);
                        child.causationId = UUID.fromString((String) row[9]);
                        child.status = BuildStatus.SKIPPED;
                        child.reason = reason;
                        child.finishedAt = now;
                        batch.event(child, event(child));
                        skipped.add(child);
                    }
                    String cause = ended.config + " #" + ended.number + " " + ended.status.name().toLowerCase(java.util.Locale.ROOT);
                    return batch.write().invoke(() -> logEach(skipped, "skipped: " + cause,
                            b -> "build " + b.config + " #" + b.number + " skipped: " + cause));
                });
    }

    /** Why a build waiting for {@code parent} is skipped; a skipped parent passes on the reason that named the cause. */
    private static String skipReason(Build parent) {
        if (parent.status == BuildStatus.SKIPPED && parent.reason != null) {
            return parent.reason;
        }
        return "skipped: parent " + parent.config + " #" + parent.number + " " + parent.status.name().toLowerCase(java.util.Locale.ROOT)
                + (parent.reason == null ? "" : " (" + parent.reason + ")");
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
