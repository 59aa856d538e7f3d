-- +goose Up
-- Issue 13: every billing state change is an event, recorded in the
-- transaction that makes it. dedupe_key makes one transition one event, however
-- often its write is retried; data is the object's row as the event found
-- it, which the API shows as it shows the object.
CREATE TABLE events (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    customer_id uuid,
    type        text NOT NULL,
    object_type text NOT NULL,
    object_id   uuid NOT NULL,
    dedupe_key  text NOT NULL UNIQUE,
    data        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE INDEX events_customer ON events (customer_id, id);
CREATE INDEX events_object ON events (object_id, id);

-- A business reads its tenant's events, a customer its own.
UPDATE policies SET statements = replace(statements, '"reconciliation:read",', '"reconciliation:read","events:read",')
 WHERE id = '00000000-0000-4000-8000-000000000102' AND statements NOT LIKE '%"events:%';
UPDATE policies SET statements = replace(statements, '"refunds:read",', '"refunds:read","events:read",')
 WHERE id = '00000000-0000-4000-8000-000000000103' AND statements NOT LIKE '%"events:%';

-- +goose Down
UPDATE policies SET statements = replace(statements, '"events:read",', '')
 WHERE id IN ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-000000000103');
DROP TABLE events;
