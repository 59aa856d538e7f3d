-- +goose Up
-- The audit trail of identity events: who did what to whom, from where.
-- tenant_id is the business the event belongs to (NULL: platform).
CREATE TABLE audit_events (
    id          uuid PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    tenant_id   uuid,
    actor_id    uuid,
    subject_id  uuid,
    action      text NOT NULL,
    outcome     text NOT NULL,
    ip          text NOT NULL DEFAULT '',
    details     text NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);

-- +goose Down
DROP TABLE audit_events;
