-- The build configuration of a build node: what a build's "after" list names, so the view can tell that a build it
-- has seen waits for a build it has not seen yet (events of different configs travel in different partitions).
ALTER TABLE pipeline_node ADD COLUMN config TEXT;
UPDATE pipeline_node SET config = regexp_replace(name, ' #[0-9]+$', '') WHERE kind = 'build';
CREATE INDEX pipeline_node_build_config ON pipeline_node (pipeline_id, config) WHERE kind = 'build';
