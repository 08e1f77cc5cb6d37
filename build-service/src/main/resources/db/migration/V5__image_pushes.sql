-- build-service publishes cascade.image.pushed, once per image tag and digest: for a build's own image when the build
-- succeeds, and for a registry's report of a push nobody in Cascade made. The images known before this version are
-- taken as published, so a late report of one of them publishes nothing.
CREATE TABLE image_push (
    image        TEXT        NOT NULL,      -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,
    event_id     UUID        NOT NULL,      -- the cascade.image.pushed event
    pipeline_id  UUID        NOT NULL,
    build_id     UUID,                      -- the build that pushed it; null for a push from outside
    published_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (image, digest)
);
INSERT INTO image_push (image, digest, event_id, pipeline_id, build_id, published_at)
SELECT image, digest, event_id, pipeline_id, NULL, updated_at FROM known_image;

-- A registry's report of a tag that a build is pushing, held until that build ends: the build's end settles it (no
-- timer). Its success with the same digest makes it the build's own push; any other end publishes it, in the
-- build's pipeline.
CREATE TABLE held_image_report (
    event_id     UUID PRIMARY KEY,          -- the cascade.image.reported event
    build_id     UUID        NOT NULL,
    image        TEXT        NOT NULL,
    digest       TEXT        NOT NULL,
    payload      TEXT        NOT NULL,      -- the report's data, as JSON
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX held_image_report_build ON held_image_report (build_id);
