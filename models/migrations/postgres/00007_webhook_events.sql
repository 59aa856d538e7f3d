-- +goose Up
-- Every inbound gateway webhook, kept by event ID: a repeat is recognised,
-- and one that could not be delivered to its workflow is never lost.
CREATE TABLE webhook_events (
    id           text PRIMARY KEY,
    gateway      text NOT NULL,
    payload      text NOT NULL,
    received_at  timestamptz NOT NULL,
    delivered_at timestamptz
);

-- +goose Down
DROP TABLE webhook_events;
