-- The digest each image tag pointed at when Cascade last heard of it; a base-image push whose digest
-- differs from the digest a config last built on is what starts a cascade.
CREATE TABLE known_image (
    image        TEXT PRIMARY KEY,          -- canonical registry/repository:tag
    digest       TEXT        NOT NULL,
    pipeline_id  UUID        NOT NULL,
    event_id     UUID        NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Source pushes received, newest last; the triggers of git-sourced builds.
CREATE TABLE source_push (
    event_id     UUID PRIMARY KEY,
    pipeline_id  UUID        NOT NULL,
    repository   TEXT        NOT NULL,
    ref_type     TEXT        NOT NULL,
    ref          TEXT        NOT NULL,
    after_commit TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX source_push_repository ON source_push (repository, received_at);
