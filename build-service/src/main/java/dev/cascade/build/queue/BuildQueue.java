package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.RunPolicy;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The build queue: queues builds (at most one per config and pipeline, each after the builds it waits for) with their
 * {@code cascade.build.*} events through the outbox, in the caller's transaction, and takes queued builds out again
 * when they are cancelled or superseded. The {@link BuildDispatcher} starts what is queued.
 */
@ApplicationScoped
public class BuildQueue {

    private final ObjectMapper json;
    private final Outbox outbox;
    private final BuildConfigs configs;
    private final BuildOutcomes outcomes;
    private final BuildRunner runner;
    private final Supersession supersession;
    private final BuildLeases leases;

    public BuildQueue(ObjectMapper json, Outbox outbox, BuildConfigs configs, BuildOutcomes outcomes, BuildRunner runner,
                      Supersession supersession, BuildLeases leases) {
        this.json = json;
        this.outbox = outbox;
        this.configs = configs;
        this.outcomes = outcomes;
        this.runner = runner;
        this.supersession = supersession;
        this.leases = leases;
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
     * returned instead (a config builds at most once per pipeline). A build queued this way is interactive (by hand).
     * Runs in the caller's transaction.
     */
    public Uni<Build> queue(BuildConfig config, String revision, String reason, Causation causation) {
        return queue(List.of(new Request(config, revision, reason, List.of())), causation, Origin.interactive()).map(queued -> queued.get(0));
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
     *
     * <p>The new builds get the pipeline's {@link Origin}: {@code origin} for a pipeline's first builds, the origin of
     * its builds so far after that (an image a git push's build pushed continues the push's interactive pipeline). New
     * cascade builds supersede the queued builds of the same configs in older cascades of the same base image
     * ({@link Supersession}).
     */
    public Uni<List<Build>> queue(List<Request> requests, Causation causation, Origin origin) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> names = requests.stream().map(r -> r.config().name).distinct().toList();
        return pipelineOrigin(causation.pipelineId(), origin).chain(actual -> builtSoFar(names, causation.pipelineId()).chain(soFar -> (soFar.inPipeline().isEmpty() ? Uni.createFrom().item(List.<Build>of())
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
                                    inPipeline, batch, actual);
                            inPipeline.put(b.config, b);
                            fresh.add(b);
                        }
                        result.add(b);
                    }
                    return batch.write()
                            .invoke(() -> ManyBuilds.log(fresh, "queued in pipeline " + causation.pipelineId(), b -> "build " + b.config + " #" + b.number
                                    + (b.status == BuildStatus.SKIPPED ? " queued and skipped: " : " queued: ") + b.reason
                                    + " (pipeline " + b.pipelineId + ")"))
                            .chain(() -> cancelSuperseded(fresh, requests))
                            .chain(() -> supersession.supersedeOlderCascades(fresh, actual, causation.pipelineId()))
                            .replaceWith(result);
                })));
    }

    /** The origin of the pipeline's builds so far, or {@code origin} when it has none yet. */
    private static Uni<Origin> pipelineOrigin(UUID pipeline, Origin origin) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                                "SELECT queue_class, trigger_image FROM build WHERE pipeline_id = ?1 ORDER BY created_at LIMIT 1", Object[].class)
                        .setParameter(1, pipeline)
                        .getResultList())
                .map(rows -> rows.isEmpty() ? origin : new Origin(QueueClass.valueOf((String) rows.get(0)[0]), (String) rows.get(0)[1]));
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
    private Build plan(Request r, Causation causation, int number, OffsetDateTime createdAt, Map<String, Build> inPipeline, BuildBatch batch,
                       Origin origin) {
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
        b.afterConfigs = BuildColumns.after(after.keySet());
        b.createdAt = createdAt;
        b.queueClass = origin.queueClass();
        b.triggerImage = origin.triggerImage();
        batch.event(b, BuildEvents.of(b));
        // a parent that has already ended without success (a build reused from earlier in the pipeline, or one
        // skipped just now): this one is skipped at once, after its queued event, with the reason passed on
        after.values().stream().filter(p -> p.status.isFinal() && p.status != BuildStatus.SUCCEEDED).findFirst().ifPresent(p -> {
            b.status = BuildStatus.SKIPPED;
            b.reason = Dependants.skipReason(p);
            b.finishedAt = OffsetDateTime.now();
            batch.event(b, BuildEvents.of(b));
        });
        batch.build(b);
        after.values().forEach(p -> batch.prerequisite(b.id, p.id));
        return b;
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
                && configs.runPolicy(c) == RunPolicy.SERIAL_LATEST_ONLY;
    }

    private Uni<Void> cancelOlderQueued(Build newest) {
        return Build.<Build>list("config = ?1 and status = ?2 and id <> ?3", newest.config, BuildStatus.QUEUED, newest.id)
                .chain(older -> Multi.createFrom().iterable(older)
                        .onItem().transformToUniAndConcatenate(b -> {
                            stopEarlierAttempt(b);
                            return outcomes.finish(b, BuildStatus.CANCELLED, "superseded by build #" + newest.number + " (SerialLatestOnly)");
                        })
                        .collect().asList().replaceWithVoid());
    }

    /**
     * Cancels a queued build at once, or stops a running one wherever it runs: the request is stored with the build,
     * and the instance that runs it stops it (at once when that is this instance, else within a second, see
     * {@link BuildLeases}). False when the build had ended already.
     */
    public Uni<Boolean> cancel(UUID id) {
        return Panache.withTransaction(() -> Build.<Build>findById(id).chain(b -> {
            if (b == null || b.status.isFinal()) {
                return Uni.createFrom().item(false);
            }
            if (b.status == BuildStatus.QUEUED) {
                stopEarlierAttempt(b);
                return outcomes.finish(b, BuildStatus.CANCELLED, "cancelled by request").replaceWith(true);
            }
            return leases.requestCancel(b.id).replaceWith(true);
        })).invoke(requested -> {
            if (requested) {
                leases.stopIfCancelledHere(id);
            }
        });
    }

    /** A queued build that ran before (queued again after losing its instance) may still run where builds run: stop that. */
    private void stopEarlierAttempt(Build b) {
        if (b.attempt > 0) {
            runner.stop(b.id);
        }
    }
}
