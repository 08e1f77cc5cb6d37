-- The pipeline view, materialised from the four topics of the event contract: one row per pipeline (the
-- causal tree of one root trigger) and one node per trigger event, build, image push and rollout in it.
-- Every change of a pipeline takes the next number of its revision counter, so a live reader resumes
-- with "everything after revision N".
CREATE TABLE pipeline (
    id               UUID PRIMARY KEY,          -- the pipelineid of its events: the root trigger's event id
    trigger_kind     TEXT CHECK (trigger_kind IN ('git', 'image', 'build', 'rollout')), -- null until the root is known
    repository       TEXT,                      -- git roots: canonical repository URL
    git_ref          TEXT,                      -- git roots: branch or tag
    git_commit       TEXT,                      -- git roots: the commit pushed
    image            TEXT,                      -- image roots: registry/repository:tag; build roots: the output image
    digest           TEXT,                      -- image roots: the digest pushed
    config           TEXT,                      -- build roots (a build requested by hand): the build config
    root_node_id     BIGINT,                    -- the node of the root event; until it is seen, the first node it caused
    status           TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    revision         BIGINT      NOT NULL,      -- the last revision number given to a change of this pipeline
    status_revision  BIGINT      NOT NULL,      -- the revision of the last change of the row itself
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX pipeline_created ON pipeline (created_at DESC, id);
CREATE INDEX pipeline_repository ON pipeline (repository, created_at DESC);

-- A node of a pipeline's causal tree. Several events may update one node (a build's queued, started and
-- succeeded); its parent is the node of the event that caused its first event.
CREATE TABLE pipeline_node (
    id               BIGSERIAL PRIMARY KEY,
    pipeline_id      UUID        NOT NULL REFERENCES pipeline (id),
    kind             TEXT        NOT NULL CHECK (kind IN ('source', 'image', 'build', 'rollout')),
    node_key         TEXT        NOT NULL,      -- the event id (source, image), the build id or the rollout id
    event_id         UUID        NOT NULL,      -- the event that created the node (for builds and rollouts: the earliest)
    parent_event_id  UUID        NOT NULL,      -- the causationid of that event
    last_event_id    UUID        NOT NULL,      -- the event that set the current status
    status           TEXT        NOT NULL,
    status_rank      INT         NOT NULL,      -- status order: a later event never moves a node back
    name             TEXT        NOT NULL,      -- what a reader calls it: repository, image, config, workload
    repository       TEXT,
    git_ref          TEXT,
    git_commit       TEXT,
    image            TEXT,                      -- tagged reference; for rollouts the pinned reference rolled out
    image_name       TEXT,                      -- registry/repository of image
    digest           TEXT,
    previous_image   TEXT,
    media_type       TEXT,
    sender           TEXT,
    build_number     INT,
    after_configs    TEXT,                      -- comma-separated config names
    reason           TEXT,
    namespace        TEXT,
    workload_kind    TEXT,
    workload_name    TEXT,
    container        TEXT,
    at               TIMESTAMPTZ NOT NULL,      -- when the node's first event happened
    queued_at        TIMESTAMPTZ,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    revision         BIGINT      NOT NULL,      -- the pipeline revision of the node's last change
    UNIQUE (kind, node_key)
);
ALTER TABLE pipeline ADD CONSTRAINT pipeline_root_node FOREIGN KEY (root_node_id) REFERENCES pipeline_node (id);
CREATE INDEX pipeline_node_pipeline ON pipeline_node (pipeline_id, revision);
CREATE INDEX pipeline_node_image ON pipeline_node (image);
CREATE INDEX pipeline_node_image_digest ON pipeline_node (image_name, digest);

-- Every event the view has applied, with the node it applied to: how a causationid finds its parent node.
CREATE TABLE pipeline_event (
    event_id      UUID PRIMARY KEY,
    pipeline_id   UUID        NOT NULL REFERENCES pipeline (id),
    node_id       BIGINT      NOT NULL REFERENCES pipeline_node (id),
    event_type    TEXT        NOT NULL,
    causation_id  UUID        NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX pipeline_event_pipeline ON pipeline_event (pipeline_id);
