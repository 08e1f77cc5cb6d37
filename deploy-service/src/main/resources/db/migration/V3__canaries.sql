-- Canary-first rollouts of base-image cascades.

-- Whether a rollout went to a canary workload (by annotation or by its namespace).
ALTER TABLE rollout ADD COLUMN canary BOOLEAN NOT NULL DEFAULT false;

-- Namespaces whose every watched workload is a canary.
CREATE TABLE canary_namespace (
    namespace   TEXT PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL
);

-- One row per base-image cascade (pipeline) that has had a canary rollout: where its canary stage is.
-- CANARY: canary rollouts under way; SOAKING: all succeeded, watched until soak_until; PASSED: the rest may roll out;
-- HELD: a canary failed, the rest wait for resume or abort; RESUMED, ABORTED: what a person decided.
CREATE TABLE canary_stage (
    pipeline_id  UUID PRIMARY KEY,
    status       TEXT        NOT NULL,
    reason       TEXT,
    soak_until   TIMESTAMPTZ,
    opened_at    TIMESTAMPTZ NOT NULL,   -- the canaries planned since count: a later wave's canary reopens the stage
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX canary_stage_open ON canary_stage (status) WHERE status IN ('CANARY', 'SOAKING');
CREATE INDEX rollout_pipeline ON rollout (pipeline_id);
