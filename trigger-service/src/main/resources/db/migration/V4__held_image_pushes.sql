-- A registry's report of a push to a tag Cascade builds, when no build of that tag is known to be running (the
-- pipeline view may lag behind after an outage or a restart): it waits for the build that made the image to report
-- it, which puts it in that build's pipeline; unclaimed when the wait is over, it goes out as a push from outside.
CREATE TABLE held_image_push (
    image        TEXT        NOT NULL,      -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,
    event_id     UUID        NOT NULL,      -- the id it is published with if no build claims it
    delivery_id  UUID        NOT NULL REFERENCES delivery (id),
    payload      TEXT        NOT NULL,      -- the cascade.image.pushed data, as JSON
    held_until   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (image, digest)
);
CREATE INDEX held_image_push_due ON held_image_push (held_until);
