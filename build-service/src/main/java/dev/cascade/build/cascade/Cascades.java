package dev.cascade.build.cascade;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.metrics.BuildMetrics;
import dev.cascade.build.queue.Build;
import dev.cascade.build.queue.BuildDispatcher;
import dev.cascade.build.queue.BuildQueue;
import dev.cascade.build.queue.Origin;
import dev.cascade.common.events.CascadePlanned;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Outbox;
import dev.cascade.messaging.Periodic;
import java.time.Duration;
import java.time.Instant;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Plans cascades and queues them. A change (a new base image digest, or a git push) affects some configs
 * directly; every config with base-image triggers that builds on an affected config's output is affected
 * in turn. The affected subgraph is computed once, by walking the graph outward from the change, so the
 * cost grows with the affected set, not with the whole graph. Each affected config is queued once in the
 * pipeline, waiting for the builds of its affected parents.
 *
 * <p>Base image pushes of one tag inside the coalescing window become one cascade: the first push opens
 * a pending cascade, later pushes replace its digest, and the cascade is planned when the window closes.
 *
 * <p>Every base image push from outside Cascade ends in a {@code cascade.cascade.planned} event ({@link CascadePlanned})
 * under its pipeline, written with the builds it queued (none when it joined an open cascade or affects no config), so a
 * consumer of the build events can tell when it knows every build a base image push caused.
 */
@ApplicationScoped
public class Cascades {

    private final BuildQueue buildQueue;
    private final BuildDispatcher dispatcher;
    private final CascadeSettings settings;
    private final BuildMetrics metrics;
    private final Outbox outbox;

    public Cascades(BuildQueue buildQueue, BuildDispatcher dispatcher, CascadeSettings settings, BuildMetrics metrics, Outbox outbox) {
        this.buildQueue = buildQueue;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.metrics = metrics;
        this.outbox = outbox;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(Duration.ofMillis(250), "pending cascades", this::planDue);
    }

    // ---- planning ---------------------------------------------------------------------------

    /**
     * The cascade a new digest of {@code image} causes: configs with base-image triggers that last built on
     * another digest of it, and everything built on them. With {@code digest} null (a dry run), every config
     * that has built on the image counts as affected.
     */
    public Uni<CascadePlan> planForImage(String image, String digest) {
        String stale = digest == null ? "" : " and ci.digest <> ?2";
        List<Object> params = new ArrayList<>(List.of(image));
        if (digest != null) {
            params.add(digest);
        }
        return BuildConfig.<BuildConfig>find("""
                        from BuildConfig bc where bc.onBaseChange = true and bc.name in (
                            select ci.config from ConfigInput ci where ci.image = ?1 and ci.digest is not null""" + stale + ") order by bc.name",
                        params.toArray())
                .list()
                .chain(this::planFrom);
    }

    /** The cascade of rebuilding {@code roots}: the roots and every config built on them, in build order. */
    public Uni<CascadePlan> planFrom(Collection<BuildConfig> roots) {
        if (roots.isEmpty()) {
            return Uni.createFrom().item(CascadePlan.EMPTY);
        }
        Map<String, BuildConfig> affected = new LinkedHashMap<>();
        Map<String, Set<String>> inputs = new HashMap<>();
        roots.forEach(c -> affected.put(c.name, c));
        return expand(affected, inputs, roots.stream().map(c -> c.outputImage).toList())
                .map(x -> {
                    List<CascadePlan.Node> nodes = affected.values().stream()
                            .map(c -> new CascadePlan.Node(c.name, c.outputImage, inputs.getOrDefault(c.name, Set.of())))
                            .toList();
                    Set<String> rootNames = new HashSet<>();
                    roots.forEach(c -> rootNames.add(c.name));
                    return CascadePlan.of(rootNames, nodes);
                });
    }

    /** One level of the walk: configs built on {@code images}; the ones that follow base changes join. */
    private Uni<Void> expand(Map<String, BuildConfig> affected, Map<String, Set<String>> inputs, List<String> images) {
        if (images.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> session.createSelectionQuery(
                                "select bc, ci.image, ci.digest from BuildConfig bc, ConfigInput ci where ci.config = bc.name and ci.image in :images",
                                Object[].class)
                        .setParameter("images", images)
                        .getResultList())
                .chain(rows -> {
                    List<String> next = new ArrayList<>();
                    for (Object[] row : rows) {
                        BuildConfig c = (BuildConfig) row[0];
                        String image = (String) row[1];
                        if (!affected.containsKey(c.name)) {
                            // a config joins when it follows base changes and has built on this image before
                            // (its first build comes from its own push or by hand)
                            if (!c.onBaseChange || row[2] == null) {
                                continue;
                            }
                            affected.put(c.name, c);
                            next.add(c.outputImage);
                        }
                        inputs.computeIfAbsent(c.name, k -> new HashSet<>()).add(image);
                    }
                    return expand(affected, inputs, next);
                });
    }

    /**
     * Queues a plan in one pipeline, each build after its parents' builds. A config that already has a
     * build in the pipeline keeps it (the loop guard), and its children wait for that one. The whole plan is
     * queued with a handful of statements, whatever its size (see {@link BuildQueue#queue(List, Causation)}).
     */
    public Uni<List<Build>> queue(CascadePlan plan, Causation causation, Function<CascadePlan.Step, String> revision,
                                  Function<CascadePlan.Step, String> reason, Origin origin) {
        if (plan.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return BuildConfig.<BuildConfig>list("name in ?1", plan.configs()).chain(found -> {
            Map<String, BuildConfig> configs = new HashMap<>();
            found.forEach(c -> configs.put(c.name, c));
            // a config deleted since the plan was made drops out; its children no longer wait for it
            List<BuildQueue.Request> requests = plan.steps().stream()
                    .filter(step -> configs.containsKey(step.config()))
                    .map(step -> new BuildQueue.Request(configs.get(step.config()), revision.apply(step), reason.apply(step), step.after()))
                    .toList();
            return buildQueue.queue(requests, causation, origin);
        });
    }

    // ---- coalescing -------------------------------------------------------------------------

    /**
     * Takes a base image push: opens a pending cascade for its tag, or joins the one already open (the
     * latest digest wins; the cascade stays in the first push's pipeline). Runs in the consumer's transaction.
     */
    public Uni<Void> coalesce(String image, String digest, Causation causation) {
        return PendingCascade.<PendingCascade>findById(image, LockModeType.PESSIMISTIC_WRITE).chain(open -> {
            if (open != null) {
                open.digest = digest;
                open.coalesced++;
                Log.infof("push of %s@%s joins the pending cascade of pipeline %s (%d coalesced)", image, digest, open.pipelineId, open.coalesced);
                return planned(image, digest, 0, open.pipelineId, causation);
            }
            PendingCascade p = new PendingCascade();
            p.image = image;
            p.digest = digest;
            p.pipelineId = causation.pipelineId();
            p.eventId = causation.causationId();
            p.firstSeen = OffsetDateTime.now();
            p.dueAt = p.firstSeen.plus(settings.coalesceWindow());
            return p.persist().replaceWithVoid();
        });
    }

    /**
     * Plans and queues the cascade of a base image push now; runs in the caller's transaction. A push that starts a
     * pipeline makes it a cascade of {@code image}; one in a pipeline with builds already (an image its own build pushed)
     * continues that pipeline in its class.
     */
    public Uni<List<Build>> cascadeNow(String image, String digest, Causation causation, int coalesced) {
        String cause = "base image " + image + " changed to " + shortDigest(digest)
                + (coalesced > 0 ? " (" + (coalesced + 1) + " pushes coalesced)" : "");
        return planForImage(image, digest)
                .call(plan -> plan.isEmpty() ? Uni.createFrom().voidItem()
                        : Build.count("pipelineId = ?1 and config in ?2", causation.pipelineId(), plan.configs()).invoke(planned -> {
                            // a cascade's own pushes find their dependents planned already
                            if (planned < plan.steps().size()) {
                                Log.infof("cascade of %s in pipeline %s: %s", image, causation.pipelineId(), describe(plan));
                            }
                        }))
                .chain(plan -> queue(plan, causation, step -> null, step -> step.root() ? cause
                        : "after " + String.join(", ", step.after()) + " (" + cause + ")", Origin.cascade(image)));
    }

    /**
     * Plans and queues the cascade of a base image push from outside Cascade now (its window closed, or there is none),
     * and announces it in the push's pipeline; runs in the caller's transaction.
     */
    public Uni<List<Build>> cascadeOfPush(String image, String digest, Causation causation, int coalesced) {
        return cascadeNow(image, digest, causation, coalesced)
                .call(builds -> planned(image, digest, queuedBy(builds, causation), causation.pipelineId(), causation));
    }

    /** The builds of a plan's result that the plan queued itself (the result has the pipeline's earlier builds of its configs too). */
    private static int queuedBy(List<Build> builds, Causation causation) {
        return (int) builds.stream().filter(b -> causation.causationId().equals(b.causationId)).count();
    }

    /** {@code cascade.cascade.planned} for a base image push, in the transaction that queued its builds. */
    private Uni<Void> planned(String image, String digest, int builds, UUID cascadePipeline, Causation causation) {
        return outbox.add(new CascadePlanned(image, digest, builds, cascadePipeline, Instant.now()), causation).replaceWithVoid();
    }

    /** Plans the pending cascades whose window has closed; each is taken by one replica only. */
    Uni<Void> planDue() {
        return Panache.withTransaction(() -> Panache.getSession()
                        .chain(session -> session.createNativeQuery("""
                                        SELECT * FROM pending_cascade WHERE due_at <= now() ORDER BY due_at LIMIT 20
                                        FOR UPDATE SKIP LOCKED""", PendingCascade.class)
                                .getResultList())
                        .chain(due -> Multi.createFrom().iterable(due)
                                .onItem().transformToUniAndConcatenate(p -> cascadeOfPush(p.image, p.digest,
                                        new Causation(p.pipelineId, p.eventId), p.coalesced).call(p::delete))
                                .collect().asList()))
                .invoke(planned -> {
                    planned.forEach(builds -> metrics.cascadeQueued(builds.size()));
                    if (!planned.isEmpty()) {
                        dispatcher.dispatchSoon();
                    }
                })
                .replaceWithVoid();
    }

    public static String describe(CascadePlan plan) {
        List<String> waves = new ArrayList<>();
        plan.waves().forEach(w -> waves.add(String.join(", ", w.stream().map(CascadePlan.Step::config).toList())));
        return String.join(" → ", waves);
    }

    private static String shortDigest(String digest) {
        return digest.length() > 19 ? digest.substring(0, 19) : digest;
    }
}
