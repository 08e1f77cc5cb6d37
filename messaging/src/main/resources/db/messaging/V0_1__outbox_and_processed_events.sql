-- Events a service has decided to publish, written in the same transaction as the change that caused
-- them; the relay publishes them in id order and stamps sent_at once the broker acknowledged them.
CREATE TABLE outbox_event (
    id            BIGSERIAL PRIMARY KEY,
    event_id      UUID        NOT NULL UNIQUE,
    topic         TEXT        NOT NULL,
    event_key     TEXT        NOT NULL,
    event_type    TEXT        NOT NULL,
    pipeline_id   UUID        NOT NULL,
    causation_id  UUID        NOT NULL,
    subject       TEXT,
    payload       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at       TIMESTAMPTZ
);
CREATE INDEX outbox_event_unsent ON outbox_event (id) WHERE sent_at IS NULL;

-- Ids of the events a consumer has acted on; written in the same transaction as the effect, so a
-- redelivered event finds its id here and changes nothing.
CREATE TABLE processed_event (
    consumer      TEXT        NOT NULL,
    event_id      TEXT        NOT NULL,
    event_type    TEXT        NOT NULL,
    processed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
