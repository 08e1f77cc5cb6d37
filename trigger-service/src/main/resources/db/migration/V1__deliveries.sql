-- Every webhook delivery trigger-service answered, with what it did about it. The raw body is kept for
-- redelivery; rejected deliveries keep neither body nor secret-bearing headers.
CREATE TABLE delivery (
    id             UUID PRIMARY KEY,
    sender         TEXT        NOT NULL,
    event_name     TEXT,
    dedup_key      TEXT,
    status         TEXT        NOT NULL CHECK (status IN ('accepted', 'duplicate', 'ignored', 'rejected')),
    reason         TEXT,
    subject        TEXT,
    pipeline_id    UUID,
    duplicate_of   UUID REFERENCES delivery (id),
    redelivery_of  UUID REFERENCES delivery (id),
    content_type   TEXT,
    headers        TEXT,
    body           BYTEA,
    received_at    TIMESTAMPTZ NOT NULL
);
-- One original per sender and de-duplication key; a redelivery asked for through the API is an original too.
CREATE UNIQUE INDEX delivery_dedup ON delivery (sender, dedup_key)
    WHERE status IN ('accepted', 'ignored') AND redelivery_of IS NULL;
CREATE INDEX delivery_received ON delivery (received_at DESC);
CREATE INDEX delivery_sender_status ON delivery (sender, status, received_at DESC);

-- The events a delivery caused; each is the root of its own pipeline.
CREATE TABLE delivery_event (
    event_id     UUID PRIMARY KEY,
    delivery_id  UUID NOT NULL REFERENCES delivery (id),
    event_type   TEXT NOT NULL,
    event_key    TEXT NOT NULL
);
CREATE INDEX delivery_event_delivery ON delivery_event (delivery_id);

-- One cascade.image.pushed per (image, digest), whichever sender reports it first.
CREATE TABLE image_push_seen (
    image        TEXT NOT NULL,
    digest       TEXT NOT NULL,
    event_id     UUID NOT NULL,
    delivery_id  UUID NOT NULL REFERENCES delivery (id),
    PRIMARY KEY (image, digest)
);

-- Per-repository webhook secrets, AES-GCM encrypted; at most two per sender and subject (rotation).
CREATE TABLE webhook_secret (
    id          UUID PRIMARY KEY,
    sender      TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    nonce       BYTEA       NOT NULL,
    ciphertext  BYTEA       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_secret_lookup ON webhook_secret (sender, subject);
