package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.config.RunPolicy;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads what {@link ClaimPolicy} decides on: the running builds, the ready ones in queue order, the cascades' recent starts. */
@ApplicationScoped
public class QueueReader {

    /** At most this many ready builds are looked at per claim. */
    static final int READY_LIMIT = 200;

    private final ObjectMapper json;
    private final BuildConfigs configs;

    public QueueReader(ObjectMapper json, BuildConfigs configs) {
        this.json = json;
        this.configs = configs;
    }

    /**
     * The queue as the policy sees it.
     *
     * @param startedLastMinute builds each cascade pipeline started within the last minute (only those with any)
     */
    public record Snapshot(List<ClaimPolicy.Running> running, List<ClaimPolicy.Ready> ready, Map<UUID, Integer> startedLastMinute) {
    }

    /**
     * Reads the queue in the caller's session: running builds, then the builds whose prerequisites have all succeeded,
     * interactive first, then oldest first (older pipelines first, and a pipeline's waves in order, since a plan's
     * builds are created in its order), leaving out the cascades in {@code pacedOut}; {@code started} is what
     * {@link #startedLastMinute()} read.
     */
    public Uni<Snapshot> read(Collection<UUID> pacedOut, Map<UUID, Integer> started) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                SELECT cast(id AS text), config, number, queue_class FROM build WHERE status = 'STARTED'""", Object[].class)
                        .getResultList()
                        .chain(running -> session.createNativeQuery("""
                                        SELECT cast(b.id AS text), b.config, b.queue_class, cast(b.pipeline_id AS text) FROM build b
                                        WHERE b.status = 'QUEUED' AND NOT EXISTS (
                                            SELECT 1 FROM build_prerequisite p JOIN build parent ON parent.id = p.prerequisite_id
                                            WHERE p.build_id = b.id AND parent.status <> 'SUCCEEDED')
                                          AND b.pipeline_id NOT IN (SELECT cast(json_array_elements_text(cast(cast(?1 AS text) AS json)) AS uuid))
                                        ORDER BY CASE b.queue_class WHEN 'INTERACTIVE' THEN 0 ELSE 1 END, b.created_at
                                        LIMIT""" + " " + READY_LIMIT, Object[].class)
                                .setParameter(1, ids(pacedOut))
                                .getResultList()
                                .chain(ready -> policies(ready).map(parallel -> {
                                    List<ClaimPolicy.Running> r = running.stream().map(row -> new ClaimPolicy.Running(
                                            UUID.fromString((String) row[0]), (String) row[1], ((Number) row[2]).intValue(),
                                            QueueClass.valueOf((String) row[3]))).toList();
                                    List<ClaimPolicy.Ready> q = ready.stream().map(row -> new ClaimPolicy.Ready(
                                            UUID.fromString((String) row[0]), (String) row[1], QueueClass.valueOf((String) row[2]),
                                            UUID.fromString((String) row[3]), parallel.getOrDefault((String) row[1], false))).toList();
                                    return new Snapshot(r, q, started);
                                }))));
    }

    /** Builds each cascade pipeline started within the last minute. */
    public Uni<Map<UUID, Integer>> startedLastMinute() {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                                SELECT cast(pipeline_id AS text), count(*) FROM build
                                WHERE queue_class = 'CASCADE' AND started_at > now() - interval '1 minute' GROUP BY pipeline_id""", Object[].class)
                        .getResultList())
                .map(rows -> {
                    Map<UUID, Integer> out = new HashMap<>();
                    rows.forEach(row -> out.put(UUID.fromString((String) row[0]), ((Number) row[1]).intValue()));
                    return out;
                });
    }

    /** Whether each config of the ready builds runs builds in parallel. */
    private Uni<Map<String, Boolean>> policies(List<Object[]> ready) {
        List<String> names = ready.stream().map(row -> (String) row[1]).distinct().toList();
        if (names.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return BuildConfig.<BuildConfig>list("name in ?1", names).map(found -> {
            Map<String, Boolean> out = new HashMap<>();
            found.forEach(c -> out.put(c.name, configs.runPolicy(c) == RunPolicy.PARALLEL));
            return out;
        });
    }

    private String ids(Collection<UUID> ids) {
        try {
            return json.writeValueAsString(new ArrayList<>(ids.stream().map(UUID::toString).toList()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
