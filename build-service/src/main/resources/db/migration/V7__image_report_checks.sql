-- A registry's webhook is only a hint. A report that no build of Cascade confirms (a push from outside, or a report held
-- for a build that did not push it) waits here until its registry has been asked what the tag points at; nothing acts on
-- it before. A check that cannot be made is tried again (due_at) until cascade.registry.verify-timeout has passed.
CREATE TABLE image_report_check (
    event_id     UUID PRIMARY KEY,          -- the cascade.image.reported event
    image        TEXT        NOT NULL,      -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,      -- the reported digest
    payload      TEXT        NOT NULL,      -- the report's data, as JSON
    pipeline_id  UUID,                      -- where a confirmed push is published; null: the root of the report's own
    causation_id UUID,
    attempts     INT         NOT NULL,      -- checks claimed so far; a claim is settled only by its holder
    last_error   TEXT,                      -- why the registry could not be asked the last time
    received_at  TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX image_report_check_due ON image_report_check (due_at);

-- Reports refused because the registry does not serve the reported digest under the tag (or could not be asked in
-- time): nothing was published for them. GET /api/image-reports/refused lists them.
CREATE TABLE image_report_refusal (
    event_id        UUID PRIMARY KEY,       -- the cascade.image.reported event
    image           TEXT        NOT NULL,
    reported_digest TEXT        NOT NULL,
    current_digest  TEXT,                   -- what the tag pointed at when the registry was asked, if it said
    sender          TEXT,
    delivery_id     TEXT,
    reason          TEXT        NOT NULL,
    refused_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX image_report_refusal_newest ON image_report_refusal (refused_at DESC);
