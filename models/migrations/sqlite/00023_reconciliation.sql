-- +goose Up
-- What a webhook said, as billgate read it when it verified it, so the
-- reconciliation can act on an event that reached no running payment
-- (issue 12): its kind, the payment its charge key names and the charge.
ALTER TABLE webhook_events ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_events ADD COLUMN payment_id TEXT;
ALTER TABLE webhook_events ADD COLUMN reference TEXT NOT NULL DEFAULT '';
CREATE INDEX webhook_events_undelivered ON webhook_events (received_at) WHERE delivered_at IS NULL;

-- What each reconciliation run found, and what it did about it.
CREATE TABLE reconciliation_findings (
    id         TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL,
    tenant_id  TEXT,
    kind       TEXT NOT NULL,
    payment_id TEXT,
    refund_id  TEXT,
    event_id   TEXT NOT NULL DEFAULT '',
    gateway    TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX reconciliation_findings_tenant ON reconciliation_findings (tenant_id, id);

-- +goose Down
DROP TABLE reconciliation_findings;
DROP INDEX webhook_events_undelivered;
ALTER TABLE webhook_events DROP COLUMN reference;
ALTER TABLE webhook_events DROP COLUMN payment_id;
ALTER TABLE webhook_events DROP COLUMN kind;
