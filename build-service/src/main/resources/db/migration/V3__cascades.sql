-- A build planned in a cascade starts only after the builds of its affected parents in the same pipeline
-- have succeeded; when one of them does not succeed, it is skipped.
CREATE TABLE build_prerequisite (
    build_id         UUID NOT NULL REFERENCES build (id) ON DELETE CASCADE,
    prerequisite_id  UUID NOT NULL REFERENCES build (id) ON DELETE CASCADE,
    PRIMARY KEY (build_id, prerequisite_id)
);
CREATE INDEX build_prerequisite_parent ON build_prerequisite (prerequisite_id);

-- The configs a build waits for, as its events report them (comma-separated, in order).
ALTER TABLE build ADD COLUMN after_configs TEXT;

-- Base image pushes waiting out the coalescing window: later pushes of the same tag inside the window
-- replace the digest and join the first push's pipeline, so a burst becomes one cascade.
CREATE TABLE pending_cascade (
    image        TEXT PRIMARY KEY,          -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,      -- the latest digest pushed inside the window
    pipeline_id  UUID        NOT NULL,      -- the first push's pipeline
    event_id     UUID        NOT NULL,      -- the first push's event
    coalesced    INT         NOT NULL DEFAULT 0,
    first_seen   TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_cascade_due ON pending_cascade (due_at);
