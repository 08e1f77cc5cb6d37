package dev.cascade.build.queue;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The build queue as {@code GET /api/queue} shows it: builds queued and running by class, the cascades' share, and why the oldest waits. */
@ApplicationScoped
public class QueueStatus {

    private final QueueSettings settings;
    private final QueueReader reader;
    private final BuildRunner runner;

    public QueueStatus(QueueSettings settings, QueueReader reader, BuildRunner runner) {
        this.settings = settings;
        this.reader = reader;
        this.runner = runner;
    }

    /**
     * The queue now.
     *
     * @param capacity                  builds running at once ({@code CASCADE_BUILD_CONCURRENCY})
     * @param cascadeShare              the configured share of the capacity cascades may hold while interactive builds run or wait
     * @param cascadeSlots              that share in slots
     * @param cascadeSlotsInUse         cascade builds running
     * @param cascadeSlotsAllowed       slots cascades may hold now: {@code cascadeSlots} while interactive builds run or wait, else all
     * @param cascadeMaxBuildsPerMinute builds one cascade may start within a minute; 0 when cascades are not paced
     * @param executorUnavailable       why no build starts at all, when the executor cannot be used
     * @param interactive               builds of git pushes and by hand
     * @param cascade                   builds of base image cascades
     * @param oldestWaiting             the build queued longest, of either class
     * @param cascades                  each cascade with builds queued or running
     */
    public record View(int capacity, double cascadeShare, int cascadeSlots, int cascadeSlotsInUse, int cascadeSlotsAllowed,
                       int cascadeMaxBuildsPerMinute, String executorUnavailable, ClassView interactive, ClassView cascade,
                       Waiting oldestWaiting, List<CascadeView> cascades) {
    }

    /** One queue class: how many builds are queued and running, and the one queued longest. */
    public record ClassView(int queued, int running, Waiting oldestWaiting) {
    }

    /** A queued build and why it waits. */
    public record Waiting(UUID id, String config, int number, String queueClass, UUID pipelineId, OffsetDateTime queuedAt,
                          long waitingSeconds, String why) {
    }

    /** A cascade (pipeline) with builds queued or running, and its pace. */
    public record CascadeView(UUID pipelineId, String triggerImage, int queued, int running, int startedLastMinute) {
    }

    public Uni<View> view() {
        ClaimPolicy policy = ClaimPolicy.of(settings);
        Optional<String> unavailable = runner.unavailable();
        return Panache.withSession(() -> reader.startedLastMinute()
                .chain(started -> reader.read(List.of(), started))
                .chain(snapshot -> Panache.getSession().chain(s -> s.createNativeQuery("""
                                        SELECT cast(pipeline_id AS text), trigger_image, queue_class,
                                               count(*) FILTER (WHERE status = 'QUEUED'), count(*) FILTER (WHERE status = 'STARTED')
                                        FROM build WHERE status IN ('QUEUED', 'STARTED') GROUP BY pipeline_id, trigger_image, queue_class
                                        ORDER BY min(created_at)""", Object[].class).getResultList())
                        .chain(pipelines -> oldest().chain(oldest -> explain(oldest, policy, snapshot, unavailable).map(waiting -> {
                            int[] queued = new int[2];
                            int[] running = new int[2];
                            List<CascadeView> cascades = new ArrayList<>();
                            for (Object[] row : pipelines) {
                                QueueClass c = QueueClass.valueOf((String) row[2]);
                                int q = ((Number) row[3]).intValue();
                                int r = ((Number) row[4]).intValue();
                                queued[c.ordinal()] += q;
                                running[c.ordinal()] += r;
                                if (c == QueueClass.CASCADE) {
                                    UUID pipeline = UUID.fromString((String) row[0]);
                                    cascades.add(new CascadeView(pipeline, (String) row[1], q, r,
                                            snapshot.startedLastMinute().getOrDefault(pipeline, 0)));
                                }
                            }
                            boolean interactiveDemand = running[0] > 0
                                    || snapshot.ready().stream().anyMatch(b -> b.queueClass() == QueueClass.INTERACTIVE);
                            Waiting first = waiting.values().stream().filter(w -> w != null)
                                    .min((a, b) -> a.queuedAt().compareTo(b.queuedAt())).orElse(null);
                            return new View(policy.capacity(), settings.cascadeShare(), policy.cascadeSlots(), running[1],
                                    interactiveDemand ? policy.cascadeSlots() : policy.capacity(), policy.maxPerMinute(),
                                    unavailable.orElse(null),
                                    new ClassView(queued[0], running[0], waiting.get(QueueClass.INTERACTIVE)),
                                    new ClassView(queued[1], running[1], waiting.get(QueueClass.CASCADE)),
                                    first, cascades);
                        })))));
    }

    /** The build of each class queued longest. */
    private static Uni<List<Build>> oldest() {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                SELECT DISTINCT ON (queue_class) cast(id AS text) FROM build WHERE status = 'QUEUED'
                                ORDER BY queue_class, created_at""", String.class)
                        .getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Build>of())
                        : Build.<Build>list("id in ?1", ids.stream().map(UUID::fromString).toList()));
    }

    /** Why each of {@code oldest} waits. */
    private Uni<Map<QueueClass, Waiting>> explain(List<Build> oldest, ClaimPolicy policy, QueueReader.Snapshot snapshot,
                                                  Optional<String> unavailable) {
        Map<QueueClass, Waiting> out = new HashMap<>();
        if (oldest.isEmpty()) {
            return Uni.createFrom().item(out);
        }
        ClaimPolicy.Decision decision = policy.decide(snapshot.running(), snapshot.ready(), snapshot.startedLastMinute());
        Uni<Void> done = Uni.createFrom().voidItem();
        for (Build b : oldest) {
            done = done.chain(() -> unfinishedParents(b.id).invoke(parents -> {
                String why;
                if (!parents.isEmpty()) {
                    why = "waits for " + String.join(", ", parents) + " in its pipeline";
                } else if (unavailable.isPresent()) {
                    why = "no build starts: " + unavailable.get();
                } else if (decision.waiting().containsKey(b.id)) {
                    why = decision.waiting().get(b.id);
                } else if (decision.chosen().stream().anyMatch(r -> r.id().equals(b.id))) {
                    why = "starts at the next claim";
                } else {
                    long ahead = snapshot.ready().size();
                    why = "behind at least " + ahead + " builds ready to start";
                }
                out.put(b.queueClass, new Waiting(b.id, b.config, b.number, b.queueClass.wireName(), b.pipelineId, b.createdAt,
                        Math.max(0, Duration.between(b.createdAt, OffsetDateTime.now()).toSeconds()), why));
            }).replaceWithVoid());
        }
        return done.replaceWith(out);
    }

    /** The prerequisites of a queued build that have not succeeded, as {@code config #n (status)}. */
    private static Uni<List<String>> unfinishedParents(UUID build) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                SELECT parent.config, parent.number, parent.status FROM build_prerequisite p
                                JOIN build parent ON parent.id = p.prerequisite_id
                                WHERE p.build_id = ?1 AND parent.status <> 'SUCCEEDED' ORDER BY parent.config""", Object[].class)
                        .setParameter(1, build)
                        .getResultList())
                .map(rows -> rows.stream().map(r -> r[0] + " #" + r[1] + " (" + ((String) r[2]).toLowerCase(java.util.Locale.ROOT) + ")").toList());
    }
}
