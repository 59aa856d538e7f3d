-- +goose Up
-- The audit trail of identity events: who did what to whom, from where.
-- tenant_id is the business the event belongs to (NULL: platform).
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    occurred_at DATETIME NOT NULL,
    tenant_id   TEXT,
    actor_id    TEXT,
    subject_id  TEXT,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);

-- +goose Down
DROP TABLE audit_events;
