-- An image push may belong to the pipeline of the build that made it, and may be reported by that build's
-- own success rather than by a registry webhook: then it has no delivery, but a build.
ALTER TABLE image_push_seen ALTER COLUMN delivery_id DROP NOT NULL;
ALTER TABLE image_push_seen ADD COLUMN build_id TEXT;
ALTER TABLE image_push_seen ADD COLUMN build_event_id UUID;
ALTER TABLE image_push_seen ADD COLUMN pipeline_id UUID;
UPDATE image_push_seen SET pipeline_id = event_id;
ALTER TABLE image_push_seen ALTER COLUMN pipeline_id SET NOT NULL;
ALTER TABLE image_push_seen ADD CONSTRAINT image_push_seen_reporter
    CHECK (delivery_id IS NOT NULL OR build_id IS NOT NULL);

-- The events a delivery caused no longer all start a pipeline of their own: keep the pipeline each joined.
ALTER TABLE delivery_event ADD COLUMN pipeline_id UUID;
UPDATE delivery_event SET pipeline_id = event_id;
ALTER TABLE delivery_event ALTER COLUMN pipeline_id SET NOT NULL;
