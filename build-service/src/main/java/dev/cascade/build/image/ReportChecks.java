package dev.cascade.build.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.ImageReported;
import dev.cascade.messaging.Causation;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.messaging.Periodic;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registry reports that wait for their registry's word before anything acts on them ({@code image_report_check}). A
 * report nobody in Cascade confirms (a push from outside, or one held for a build that did not push it) is stored here
 * in the transaction that takes it, and checked ({@link RegistryCheck}) outside any transaction:
 * <ul>
 * <li>the tag points at the reported digest: published as the report says;</li>
 * <li>the tag has moved on, and the registry does hold the reported digest: published as a report of the digest the tag
 *     points at now, since the report is stale and acting on the older digest would roll workloads back;</li>
 * <li>the registry does not serve the reported digest under that tag: refused ({@link ReportRefusals}), nothing published;</li>
 * <li>the registry cannot be asked: asked again later, backing off, until {@code cascade.registry.verify-timeout} has
 *     passed since the report came, then refused as not verifiable.</li>
 * </ul>
 * The partition the report came on is never held for that: a report that could not be checked at once waits here while the
 * reports after it are taken. Each check is claimed for a while by one instance; a claim that lapses (the instance died)
 * is taken by the next poll.
 */
@ApplicationScoped
public class ReportChecks {

    private static final Duration POLL = Duration.ofSeconds(5);
    /** How long a claimed check is left to the instance that claimed it: more than one check can take. */
    private static final Duration CLAIM = Duration.ofMinutes(1);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(1);
    private static final int BATCH = 20;

    private final RegistryCheck registry;
    private final PublishedImages published;
    private final ReportRefusals refusals;
    private final ReportVerificationSettings settings;
    private final OutboxRelay relay;
    private final ObjectMapper json;
    private final AtomicBoolean polling = new AtomicBoolean();

    ReportChecks(RegistryCheck registry, PublishedImages published, ReportRefusals refusals, ReportVerificationSettings settings,
                 OutboxRelay relay, ObjectMapper json) {
        this.registry = registry;
        this.published = published;
        this.refusals = refusals;
        this.settings = settings;
        this.relay = relay;
        this.json = json;
    }

    void start(@Observes StartupEvent started, Periodic periodic) {
        periodic.every(POLL, "image report checks", () -> {
            if (!polling.compareAndSet(false, true)) {
                return Uni.createFrom().voidItem();
            }
            return checkDue(false).eventually(() -> polling.set(false));
        });
    }

    /**
     * Acts on a report that no build of Cascade confirms, in the caller's transaction: published at once where reports
     * are not verified, else stored to be checked with the registry first.
     *
     * @param causation where a push it confirms is published; null for a push from outside, the root of a pipeline under
     *                  the report's id
     */
    Uni<Void> unconfirmed(UUID eventId, ImageReported report, Causation causation) {
        if (!registry.verifies(report.registry())) {
            return publish(eventId, report.asPush(), causation).replaceWithVoid();
        }
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO image_report_check (event_id, image, digest, payload, pipeline_id, causation_id, attempts,
                                                                received_at, due_at)
                                VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, now(), now()) ON CONFLICT (event_id) DO NOTHING""")
                        .setParameter(1, eventId)
                        .setParameter(2, report.image())
                        .setParameter(3, report.digest())
                        .setParameter(4, write(report))
                        .setParameter(5, causation == null ? null : causation.pipelineId())
                        .setParameter(6, causation == null ? null : causation.causationId())
                        .executeUpdate())
                .invoke(() -> Log.infof("report of %s@%s (delivery %s, %s): to be confirmed with the registry", report.image(),
                        report.digest(), report.deliveryId(), report.sender()))
                .replaceWithVoid();
    }

    /**
     * Checks the reports stored since the last check and not tried yet (the ones the consumer has just taken), each
     * in its own transactions; never fails.
     */
    public Uni<Void> checkNew() {
        return checkDue(true);
    }

    private Uni<Void> checkDue(boolean newOnly) {
        return Panache.withTransaction(() -> claim(newOnly))
                .chain(claimed -> Multi.createFrom().iterable(claimed)
                        .onItem().transformToUniAndConcatenate(this::check)
                        .collect().asList())
                .invoke(checked -> {
                    if (!checked.isEmpty()) {
                        relay.relaySoon();
                    }
                })
                .onFailure().invoke(f -> Log.warnf("checking image reports: %s", f.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** A stored check, claimed: {@code attempt} is the claim's number, which only its holder may settle. */
    private record Claimed(UUID eventId, ImageReported report, Causation causation, int attempt, OffsetDateTime receivedAt) {
    }

    private Uni<List<Claimed>> claim(boolean newOnly) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                UPDATE image_report_check c SET attempts = c.attempts + 1,
                                    due_at = now() + make_interval(secs => ?1)
                                WHERE c.event_id IN (SELECT event_id FROM image_report_check
                                                     WHERE due_at <= now() AND (?2 = false OR attempts = 0)
                                                     ORDER BY due_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
                                RETURNING c.event_id, c.payload, c.pipeline_id, c.causation_id, c.attempts, c.received_at""",
                                Object[].class)
                        .setParameter(1, (double) CLAIM.toSeconds())
                        .setParameter(2, newOnly)
                        .setParameter(3, BATCH)
                        .getResultList())
                .map(rows -> rows.stream().map(r -> new Claimed((UUID) r[0], read((String) r[1]),
                        r[2] == null ? null : new Causation((UUID) r[2], (UUID) r[3]), (Integer) r[4], ReportRefusals.time(r[5]))).toList());
    }

    /** Asks the registry (no transaction open meanwhile), then settles the check by what it said. */
    private Uni<Void> check(Claimed c) {
        return registry.check(c.report()).chain(verdict -> Panache.withTransaction(() -> stillClaimed(c).chain(mine -> {
            if (!mine) {
                return Uni.createFrom().voidItem();
            }
            ImageReported report = c.report();
            return switch (verdict.kind()) {
                case CONFIRMED -> publish(c.eventId(), report.asPush(), c.causation())
                        .invoke(done -> Log.infof("report of %s@%s (delivery %s): confirmed by the registry; %s", report.image(),
                                report.digest(), report.deliveryId(), done ? "published" : "published before"))
                        .chain(() -> done(c));
                case MOVED -> publish(c.eventId(), current(report, verdict.current()), c.causation())
                        .invoke(done -> Log.infof("report of %s@%s (delivery %s): the tag has moved on to %s since; %s", report.image(),
                                report.digest(), report.deliveryId(), verdict.current(),
                                done ? "that digest is published" : "that digest was published before"))
                        .chain(() -> done(c));
                case REFUSED -> refuse(c, verdict.current(), "not in the registry: " + verdict.reason());
                case UNKNOWN -> c.receivedAt().plus(settings.verifyTimeout()).isBefore(OffsetDateTime.now())
                        ? refuse(c, null, "could not be verified in " + settings.verifyTimeout().toSeconds() + " s: " + verdict.reason())
                        : retry(c, verdict.reason());
            };
        }))).onFailure().invoke(f -> Log.warnf("report %s: its check could not be settled (%s); it is tried again",
                c.eventId(), f.getMessage())).onFailure().recoverWithNull();
    }

    private Uni<Boolean> stillClaimed(Claimed c) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                                "SELECT event_id FROM image_report_check WHERE event_id = ?1 AND attempts = ?2 FOR UPDATE", UUID.class)
                        .setParameter(1, c.eventId())
                        .setParameter(2, c.attempt())
                        .getResultList())
                .map(rows -> !rows.isEmpty());
    }

    private Uni<Void> refuse(Claimed c, String current, String reason) {
        ImageReported report = c.report();
        Log.warnf("report of %s@%s (delivery %s, %s) refused: %s; nothing is published", report.image(), report.digest(),
                report.deliveryId(), report.sender(), reason);
        return refusals.record(c.eventId(), report, current, reason).chain(() -> done(c));
    }

    private Uni<Void> retry(Claimed c, String reason) {
        long backoff = Math.min(LONGEST_RETRY.toSeconds(), FIRST_RETRY.toSeconds() << Math.min(c.attempt() - 1, 8));
        Log.infof("report of %s@%s (delivery %s): the registry could not be asked (%s); asked again in %d s", c.report().image(),
                c.report().digest(), c.report().deliveryId(), reason, backoff);
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                UPDATE image_report_check SET due_at = now() + make_interval(secs => ?2), last_error = ?3
                                WHERE event_id = ?1""")
                        .setParameter(1, c.eventId())
                        .setParameter(2, (double) backoff)
                        .setParameter(3, reason)
                        .executeUpdate())
                .replaceWithVoid();
    }

    private static Uni<Void> done(Claimed c) {
        return Panache.getSession().chain(s -> s.createNativeQuery("DELETE FROM image_report_check WHERE event_id = ?1")
                        .setParameter(1, c.eventId())
                        .executeUpdate())
                .replaceWithVoid();
    }

    /** Publishes in the pipeline {@code causation} names, or as the root of the report's own when it is null. */
    private Uni<Boolean> publish(UUID eventId, ImagePushed push, Causation causation) {
        return causation == null ? published.once(eventId, push, Causation.root(eventId), null)
                : published.once(UUID.randomUUID(), push, causation, null);
    }

    /** The push of what the tag points at now, told by the report's sender and delivery. */
    private static ImagePushed current(ImageReported report, String digest) {
        return new ImagePushed(report.image(), report.registry(), report.repository(), report.tag(), digest, null, report.sender(),
                report.deliveryId());
    }

    private String write(ImageReported report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("image report cannot be written as JSON", e);
        }
    }

    private ImageReported read(String payload) {
        try {
            return json.readValue(payload, ImageReported.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored image report is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
