package dev.cascade.build.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Skips the queued builds that wait for a build which ended without success, with the reason that names it. */
@ApplicationScoped
public class Dependants {

    private final ObjectMapper json;
    private final Outbox outbox;

    public Dependants(ObjectMapper json, Outbox outbox) {
        this.json = json;
        this.outbox = outbox;
    }

    /**
     * Skips every queued build that waits for {@code ended}, directly or through other queued builds, with the
     * reason that names {@code ended}, and records their events: one statement finds and skips the whole subtree
     * (however large a cascade's), one more inserts the events, in build order. Runs in the caller's transaction.
     */
    Uni<Void> skipWaitingFor(Build ended) {
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
                        batch.event(child, BuildEvents.of(child));
                        skipped.add(child);
                    }
                    String cause = ended.config + " #" + ended.number + " " + ended.status.name().toLowerCase(Locale.ROOT);
                    return batch.write().invoke(() -> ManyBuilds.log(skipped, "skipped: " + cause,
                            b -> "build " + b.config + " #" + b.number + " skipped: " + cause));
                });
    }

    /** Why a build waiting for {@code parent} is skipped; a skipped parent passes on the reason that named the cause. */
    static String skipReason(Build parent) {
        if (parent.status == BuildStatus.SKIPPED && parent.reason != null) {
            return parent.reason;
        }
        return "skipped: parent " + parent.config + " #" + parent.number + " " + parent.status.name().toLowerCase(Locale.ROOT)
                + (parent.reason == null ? "" : " (" + parent.reason + ")");
    }
}
