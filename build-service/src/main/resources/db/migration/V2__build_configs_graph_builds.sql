-- Build configurations; the spec is the REST/YAML document, the other columns are what queries need.
CREATE TABLE build_config (
    name            TEXT PRIMARY KEY,
    repository      TEXT        NOT NULL,   -- canonical git repository URL
    branch          TEXT        NOT NULL,
    output_image    TEXT        NOT NULL UNIQUE, -- canonical registry/repository:tag
    strategy        TEXT        NOT NULL,
    on_git_push     BOOLEAN     NOT NULL,
    on_base_change  BOOLEAN     NOT NULL,
    spec            TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX build_config_source ON build_config (repository, branch);

-- The dependency graph: each config's base images (FROM lines, COPY --from, S2I builder), learned from
-- its Dockerfile, with the digest its last successful build used.
CREATE TABLE config_input (
    config       TEXT NOT NULL REFERENCES build_config (name) ON DELETE CASCADE,
    image        TEXT NOT NULL,             -- canonical registry/repository:tag
    digest       TEXT,                      -- digest the last successful build used; null before any
    PRIMARY KEY (config, image)
);
CREATE INDEX config_input_image ON config_input (image);

CREATE TABLE build (
    id            UUID PRIMARY KEY,
    config        TEXT        NOT NULL,
    number        INT         NOT NULL,
    status        TEXT        NOT NULL,
    reason        TEXT,
    commit_sha    TEXT,
    ref           TEXT,
    image         TEXT,
    digest        TEXT,
    base_digests  TEXT,
    pipeline_id   UUID        NOT NULL,
    causation_id  UUID        NOT NULL,
    attempt       INT         NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    log           TEXT,
    UNIQUE (config, number)
);
CREATE INDEX build_config_created ON build (config, created_at DESC);
CREATE INDEX build_status ON build (status);
-- a config builds at most once per pipeline (no trigger loops)
CREATE UNIQUE INDEX build_once_per_pipeline ON build (config, pipeline_id);
