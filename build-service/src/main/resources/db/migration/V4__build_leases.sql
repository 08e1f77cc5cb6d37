-- Which build-service instance runs a started build, and until when that holds unless the instance renews it. A
-- started build whose lease has run out lost its instance (a crash, a kill) and is queued again.
ALTER TABLE build ADD COLUMN lease_owner TEXT;
ALTER TABLE build ADD COLUMN lease_until TIMESTAMPTZ;
CREATE INDEX build_started_lease ON build (lease_until) WHERE status = 'STARTED';
