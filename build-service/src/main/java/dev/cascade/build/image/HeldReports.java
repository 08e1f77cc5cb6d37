package dev.cascade.build.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.ImageReported;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;

/**
 * Registry reports held for the build that is pushing their tag ({@code held_image_report}), and how a build's end
 * settles them. A report is held for the newest build of the tag that may have pushed (started, or queued again after
 * an attempt); when that build ends, a report of the digest it pushed is its own, and any other goes to another build
 * of the tag still pushing, or else is published in the ended build's pipeline. A sweep settles what no build's end
 * reached (a build skipped or deleted while queued again), so no report is held for ever. A build's end confirms only
 * its own push: any other report it releases is confirmed with the registry before it is acted on ({@link ReportChecks}).
 */
@ApplicationScoped
class HeldReports {

    /** A build that may push a tag now: started, or queued again after an attempt that may have pushed. */
    private static final String PUSHING = "(status = 'STARTED' OR (status = 'QUEUED' AND attempt > 0))";

    private final ReportChecks checks;
    private final ObjectMapper json;

    HeldReports(ReportChecks checks, ObjectMapper json) {
        this.checks = checks;
        this.json = json;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(Duration.ofMinutes(1), "held image reports", () -> Panache.withTransaction(this::sweep));
    }

    /** The newest build pushing {@code image} now other than {@code except}, locked until this transaction ends; null when none is. */
    static Uni<UUID> buildPushing(String image, UUID except) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT id FROM build WHERE image = ?1 AND " + PUSHING
                                + " AND id <> ?2 ORDER BY created_at DESC LIMIT 1 FOR UPDATE", UUID.class)
                        .setParameter(1, image)
                        .setParameter(2, except == null ? new UUID(0, 0) : except)
                        .getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }

    /** Holds a report (its event id {@code eventId}) for {@code buildId}, whose row the caller has locked. */
    Uni<Void> hold(UUID eventId, ImageReported report, UUID buildId) {
        String payload;
        try {
            payload = json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("image report cannot be written as JSON", e));
        }
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO held_image_report (event_id, build_id, image, digest, payload, received_at)
                                VALUES (?1, ?2, ?3, ?4, ?5, now())
                                ON CONFLICT (event_id) DO UPDATE SET build_id = excluded.build_id""")
                        .setParameter(1, eventId)
                        .setParameter(2, buildId)
                        .setParameter(3, report.image())
                        .setParameter(4, report.digest())
                        .setParameter(5, payload)
                        .executeUpdate())
                .invoke(() -> Log.infof("report of %s@%s (delivery %s): held until build %s ends", report.image(), report.digest(),
                        report.deliveryId(), buildId))
                .replaceWithVoid();
    }

    /**
     * Settles the reports held for a build that ended (its row locked by the caller, its final event under
     * {@code causation}): a report of the digest it pushed is its own, whichever build it was held for.
     *
     * @param image        the build's output image, as reports name it
     * @param pushedDigest the digest it pushed; null unless it succeeded
     */
    Uni<Void> settle(UUID buildId, String image, String pushedDigest, Causation causation) {
        Uni<Void> own = pushedDigest == null || image == null ? Uni.createFrom().voidItem()
                : Panache.getSession().chain(s -> s.createNativeQuery("DELETE FROM held_image_report WHERE image = ?1 AND digest = ?2")
                        .setParameter(1, image)
                        .setParameter(2, pushedDigest)
                        .executeUpdate()).replaceWithVoid();
        return own.chain(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                                "DELETE FROM held_image_report WHERE build_id = ?1 RETURNING event_id, image, payload", Object[].class)
                        .setParameter(1, buildId)
                        .getResultList()))
                .chain(held -> Multi.createFrom().iterable(held)
                        .onItem().transformToUniAndConcatenate(row -> passOn((UUID) row[0], (String) row[1], read((String) row[2]),
                                buildId, causation))
                        .collect().asList())
                .replaceWithVoid();
    }

    /**
     * A report that was not the ended build's push: held for another build of the tag still pushing, or else acted on in
     * the ended build's pipeline once its registry confirms it ({@link ReportChecks}).
     */
    private Uni<Void> passOn(UUID eventId, String image, ImageReported report, UUID ended, Causation causation) {
        return buildPushing(image, ended).chain(other -> other != null ? hold(eventId, report, other)
                : Uni.createFrom().voidItem()
                        .invoke(() -> Log.infof("report of %s@%s held for build %s: not its push; for pipeline %s", report.image(),
                                report.digest(), ended, causation.pipelineId()))
                        .chain(() -> checks.unconfirmed(eventId, report, causation)));
    }

    /**
     * Settles the reports whose build is no longer pushing without its end having settled them: in the build's pipeline
     * when the build is still known (its own push when it succeeded with that digest), else as a push from outside under
     * the report's id. One instance takes each row.
     */
    Uni<Void> sweep() {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                SELECT h.event_id, h.digest, h.payload, b.pipeline_id, b.causation_id, b.status, b.digest
                                FROM held_image_report h LEFT JOIN build b ON b.id = h.build_id
                                WHERE b.id IS NULL OR NOT (b.status = 'STARTED' OR (b.status = 'QUEUED' AND b.attempt > 0))
                                ORDER BY h.received_at LIMIT 50 FOR UPDATE OF h SKIP LOCKED""", Object[].class)
                        .getResultList())
                .chain(stranded -> Multi.createFrom().iterable(stranded)
                        .onItem().transformToUniAndConcatenate(this::release)
                        .collect().asList())
                .replaceWithVoid();
    }

    private Uni<Void> release(Object[] row) {
        UUID eventId = (UUID) row[0];
        String digest = (String) row[1];
        ImageReported report = read((String) row[2]);
        boolean own = "SUCCEEDED".equals(row[5]) && digest.equals(row[6]);
        Log.infof("report of %s@%s: its build no longer pushes; %s", report.image(), digest,
                own ? "it was the build's own push" : "it is acted on once its registry confirms it");
        Uni<Void> acting = own ? Uni.createFrom().voidItem()
                : checks.unconfirmed(eventId, report, row[3] == null ? null : new Causation((UUID) row[3], (UUID) row[4]));
        return acting
                .chain(() -> Panache.getSession().chain(s -> s.createNativeQuery("DELETE FROM held_image_report WHERE event_id = ?1")
                        .setParameter(1, eventId)
                        .executeUpdate()))
                .replaceWithVoid();
    }

    private ImageReported read(String payload) {
        try {
            return json.readValue(payload, ImageReported.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a held image report is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
