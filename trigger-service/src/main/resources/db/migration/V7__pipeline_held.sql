-- A pipeline whose remaining rollouts a failed canary holds (deploy-service) is "held" until it is resumed or aborted.
ALTER TABLE pipeline DROP CONSTRAINT pipeline_status_check;
ALTER TABLE pipeline ADD CONSTRAINT pipeline_status_check CHECK (status IN ('running', 'held', 'succeeded', 'failed'));
