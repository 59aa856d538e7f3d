-- +goose Up
-- Issue 13: the outbox of webhook deliveries. The relay fans each new event
-- out to the endpoints that want it (one delivery per event and endpoint,
-- the payload frozen as the event was shown then) and marks the event
-- relayed; each endpoint's workflow sends its deliveries in event order and
-- logs every attempt. Events recorded before this migration are not sent.
ALTER TABLE events ADD COLUMN relayed_at DATETIME;
UPDATE events SET relayed_at = created_at;
CREATE INDEX events_unrelayed ON events (id) WHERE relayed_at IS NULL;

-- failing_since is when the endpoint's deliveries started failing without
-- one succeeding since; after five days billgate disables it.
ALTER TABLE webhook_endpoints ADD COLUMN failing_since DATETIME;

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    tenant_id       TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, event_id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    status_code   INTEGER NOT NULL DEFAULT 0,
    latency_ms    INTEGER NOT NULL DEFAULT 0,
    response_body TEXT NOT NULL DEFAULT '',
    truncated     BOOLEAN NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    PRIMARY KEY (delivery_id, number)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_endpoints DROP COLUMN failing_since;
DROP INDEX events_unrelayed;
ALTER TABLE events DROP COLUMN relayed_at;
