-- The effect of the test application's consumer: one row for each source push it acted on.
CREATE TABLE consumed_push (
    id           BIGSERIAL PRIMARY KEY,
    event_id     UUID        NOT NULL,
    repository   TEXT        NOT NULL,
    after_commit TEXT        NOT NULL,
    consumed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
