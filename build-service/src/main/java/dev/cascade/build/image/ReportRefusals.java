package dev.cascade.build.image;

import dev.cascade.common.events.ImageReported;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Registry reports refused because their registry did not confirm them ({@code image_report_refusal}). */
@ApplicationScoped
public class ReportRefusals {

    /** One refused report: what was reported, what the registry said, and why it was refused. */
    public record Refusal(UUID eventId, String image, String reportedDigest, String currentDigest, String sender, String deliveryId,
                          String reason, OffsetDateTime refusedAt) {
    }

    /** Records a refusal in the caller's transaction; a report is refused once. */
    Uni<Void> record(UUID eventId, ImageReported report, String currentDigest, String reason) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                INSERT INTO image_report_refusal
                                    (event_id, image, reported_digest, current_digest, sender, delivery_id, reason, refused_at)
                                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, now()) ON CONFLICT (event_id) DO NOTHING""")
                        .setParameter(1, eventId)
                        .setParameter(2, report.image())
                        .setParameter(3, report.digest())
                        .setParameter(4, currentDigest)
                        .setParameter(5, report.sender())
                        .setParameter(6, report.deliveryId())
                        .setParameter(7, reason)
                        .executeUpdate())
                .replaceWithVoid();
    }

    /** The newest {@code limit} refusals, newest first. */
    public Uni<List<Refusal>> newest(int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                                SELECT event_id, image, reported_digest, current_digest, sender, delivery_id, reason, refused_at
                                FROM image_report_refusal ORDER BY refused_at DESC, event_id LIMIT ?1""", Object[].class)
                        .setParameter(1, limit)
                        .getResultList())
                .map(rows -> rows.stream().map(r -> new Refusal((UUID) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                        (String) r[5], (String) r[6], time(r[7]))).toList());
    }

    static OffsetDateTime time(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof java.time.Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(value.toString());
    }
}
