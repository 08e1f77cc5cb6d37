-- Image tags Cascade builds on or rolls out but does not build itself (upstream bases, S2I builders, images workloads
-- follow): asked for their digest on an interval, one HEAD per check. A check is claimed by one instance for a lease,
-- so a tag is asked once per interval however many instances run.
CREATE TABLE watched_image (
    image           TEXT PRIMARY KEY,          -- canonical registry/repository:tag
    registry        TEXT        NOT NULL,
    configs         TEXT[]      NOT NULL,      -- configs built FROM it
    builders        TEXT[]      NOT NULL,      -- S2I configs built with it as their builder image
    workloads       TEXT[]      NOT NULL,      -- namespace/kind/name of workloads following it
    webhooks        BOOLEAN     NOT NULL,      -- its registry sends webhooks: the interval is the safety net's
    interval_ms     BIGINT      NOT NULL,
    next_check_at   TIMESTAMPTZ NOT NULL,
    last_checked_at TIMESTAMPTZ,
    last_digest     TEXT,                      -- the digest the last successful check found
    last_changed_at TIMESTAMPTZ,               -- when a check last found a new digest
    last_error      TEXT,                      -- why the last check failed; null when it worked
    lease_owner     TEXT,                      -- the instance checking it now
    lease_until     TIMESTAMPTZ
);
CREATE INDEX watched_image_due ON watched_image (registry, next_check_at);

-- Per registry: why it is left alone, and until when. Its row is locked while an instance claims its tags, so the
-- budget below is counted by one instance at a time.
CREATE TABLE watched_registry (
    registry       TEXT PRIMARY KEY,
    backoff_until  TIMESTAMPTZ,
    failures       INT         NOT NULL DEFAULT 0,   -- failed checks in a row, for the exponential backoff
    last_error     TEXT
);

-- The requests sent per registry in the last hour: the budget is the number of rows younger than an hour.
CREATE TABLE watch_request (
    registry  TEXT        NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX watch_request_sent ON watch_request (registry, sent_at);
