-- Every cascade.image.pushed deploy-service has taken in: the inputs its rollouts are made from.
CREATE TABLE image_push (
    event_id     UUID PRIMARY KEY,
    pipeline_id  UUID        NOT NULL,
    image        TEXT        NOT NULL,      -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX image_push_image ON image_push (image, received_at);
