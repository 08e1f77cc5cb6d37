-- Registry reports of pushes are hints that build-service settles: it owns cascade.image.pushed and knows which
-- builds are pushing. trigger-service only remembers which tag and digest it has forwarded, so a report sent again is
-- not forwarded twice. Rows without a delivery are images published before this version (builds' own pushes): a
-- registry report of one of them is still not forwarded.
ALTER TABLE image_push_seen DROP CONSTRAINT image_push_seen_reporter;
ALTER TABLE image_push_seen DROP COLUMN build_id;
ALTER TABLE image_push_seen DROP COLUMN build_event_id;
ALTER TABLE image_push_seen DROP COLUMN pipeline_id;
ALTER TABLE image_push_seen RENAME TO image_report;

-- Reports held for a build to claim are forwarded as they are: build-service holds them for the build of that tag
-- if one is still running, and otherwise publishes them as pushes from outside.
INSERT INTO image_report (image, digest, event_id, delivery_id)
SELECT image, digest, event_id, delivery_id FROM held_image_push
ON CONFLICT DO NOTHING;
INSERT INTO outbox_event (event_id, topic, event_key, event_type, pipeline_id, causation_id, subject, payload, created_at)
SELECT event_id, 'cascade.image-reports', regexp_replace(image, ':[^:/]*$', ''), 'cascade.image.reported', event_id, event_id, image,
       payload, now()
FROM held_image_push ORDER BY held_until;
DROP TABLE held_image_push;
