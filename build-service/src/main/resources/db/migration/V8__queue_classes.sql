-- Each build belongs to a queue class, from what started its pipeline: a git push or a request by hand is
-- interactive, a base image push is a cascade. Interactive builds are claimed first; cascades use at most their share
-- of the build capacity while interactive builds run or wait, and may be paced.
ALTER TABLE build ADD COLUMN queue_class TEXT NOT NULL DEFAULT 'INTERACTIVE';
-- The base image whose change started a cascade's pipeline (null for interactive builds): a newer cascade of the same
-- image supersedes the older one's queued builds of the configs it rebuilds.
ALTER TABLE build ADD COLUMN trigger_image TEXT;
-- builds queued before classes existed: a cascade's builds say so in their reason
UPDATE build SET queue_class = 'CASCADE' WHERE reason LIKE 'base image % changed to %' OR reason LIKE 'after % (base image % changed to %)';
CREATE INDEX build_pipeline ON build (pipeline_id);
CREATE INDEX build_queued_class ON build (queue_class, created_at) WHERE status = 'QUEUED';
CREATE INDEX build_cascade_started ON build (pipeline_id, started_at) WHERE queue_class = 'CASCADE';
