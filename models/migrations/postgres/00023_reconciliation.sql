-- +goose Up
-- What a webhook said, as billgate read it when it verified it, so the
-- reconciliation can act on an event that reached no running payment
-- (issue 12): its kind, the payment its charge key names and the charge.
ALTER TABLE webhook_events ADD COLUMN kind text NOT NULL DEFAULT '';
ALTER TABLE webhook_events ADD COLUMN payment_id uuid;
ALTER TABLE webhook_events ADD COLUMN reference text NOT NULL DEFAULT '';
CREATE INDEX webhook_events_undelivered ON webhook_events (received_at) WHERE delivered_at IS NULL;

-- What each reconciliation run found, and what it did about it.
CREATE TABLE reconciliation_findings (
    id         uuid PRIMARY KEY,
    run_id     text NOT NULL,
    tenant_id  uuid,
    kind       text NOT NULL,
    payment_id uuid,
    refund_id  uuid,
    event_id   text NOT NULL DEFAULT '',
    gateway    text NOT NULL DEFAULT '',
    action     text NOT NULL,
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX reconciliation_findings_tenant ON reconciliation_findings (tenant_id, id);

-- +goose Down
DROP TABLE reconciliation_findings;
DROP INDEX webhook_events_undelivered;
ALTER TABLE webhook_events DROP COLUMN reference;
ALTER TABLE webhook_events DROP COLUMN payment_id;
ALTER TABLE webhook_events DROP COLUMN kind;
