-- A request to cancel a started build, stored so that the instance running it (its lease_owner) stops it, whichever
-- instance was asked. A started build whose instance died with a cancel request is cancelled, not queued again.
ALTER TABLE build ADD COLUMN cancel_requested_at TIMESTAMPTZ;
