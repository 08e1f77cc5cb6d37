-- What deploy-service has read of the cascade a base image push caused: build-service's plan (cascade.cascade.planned,
-- with how many builds it queued) and how many cascade.build.queued events of the pipeline it has read. The two come on
-- different partitions, in either order. Until the plan is read and every build it queued is known, a build still unread
-- may make an image a canary follows, so the cascade's other rollouts wait (when there are canaries). The row is made
-- by the cascade's root push (or by whichever of its events comes first); a pipeline without one waits for no plan.
CREATE TABLE cascade_plan (
    pipeline_id    UUID PRIMARY KEY,
    builds_planned INTEGER,              -- null until the plan is read
    builds_queued  INTEGER     NOT NULL, -- cascade.build.queued events of the plan's builds read (caused by the root push)
    joined_pipeline UUID,                -- the pipeline of the earlier push whose open cascade this push joined
    updated_at     TIMESTAMPTZ NOT NULL
);
