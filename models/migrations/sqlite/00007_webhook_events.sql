-- +goose Up
-- Every inbound gateway webhook, kept by event ID: a repeat is recognised,
-- and one that could not be delivered to its workflow is never lost.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    gateway      TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  DATETIME NOT NULL,
    delivered_at DATETIME
);

-- +goose Down
DROP TABLE webhook_events;
