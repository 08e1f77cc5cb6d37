-- Targets registered over REST (annotated workloads are found by the informer and not stored).
CREATE TABLE target (
    id          UUID PRIMARY KEY,
    namespace   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    container   TEXT NOT NULL,
    from_image  TEXT NOT NULL,
    policy      TEXT NOT NULL,
    bound       TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (namespace, kind, name, container)
);

-- Workloads whose automatic rollouts are paused.
CREATE TABLE workload_pause (
    namespace  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    paused_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (namespace, kind, name)
);

-- Namespaces whose rollouts wait for an approval.
CREATE TABLE approval_gate (
    namespace   TEXT PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE rollout (
    id              UUID PRIMARY KEY,
    namespace       TEXT        NOT NULL,
    kind            TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    container       TEXT        NOT NULL,
    image           TEXT        NOT NULL,   -- repo@sha256:… rolled out
    tag             TEXT        NOT NULL,
    previous_image  TEXT,
    status          TEXT        NOT NULL,
    reason          TEXT,
    pipeline_id     UUID        NOT NULL,
    causation_id    UUID        NOT NULL,
    pushed_at       TIMESTAMPTZ NOT NULL,   -- when the image was pushed (orders images for the monotonic guard)
    base_generation BIGINT,
    hook_job        TEXT,
    hook_log        TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX rollout_workload ON rollout (namespace, kind, name, container, created_at DESC);
CREATE INDEX rollout_active ON rollout (status) WHERE finished_at IS NULL;
