-- What a pipeline will still push: the builds deploy-service has heard of (cascade.build.*) whose image push it has not
-- received. A base-image cascade's other rollouts wait while one of them makes an image a canary follows.
-- QUEUED, STARTED: the build may still push; SUCCEEDED: it pushed digest, its cascade.image.pushed is on its way.
-- A build that ends without pushing (failed, cancelled, skipped) is removed, and so is every build of a pipeline's
-- image once that image's push has been received.
CREATE TABLE expected_build (
    build_id     TEXT PRIMARY KEY,
    pipeline_id  UUID        NOT NULL,
    config       TEXT        NOT NULL,
    image        TEXT        NOT NULL,   -- canonical registry/repository:tag the build pushes
    status       TEXT        NOT NULL,
    digest       TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX expected_build_pipeline ON expected_build (pipeline_id, image);
CREATE INDEX image_push_pipeline ON image_push (pipeline_id, image);

-- EXPECTED: no canary is rolling out or soaking, but a build of the cascade makes an image a canary follows; the rest wait.
DROP INDEX canary_stage_open;
CREATE INDEX canary_stage_open ON canary_stage (status) WHERE status IN ('EXPECTED', 'CANARY', 'SOAKING');
