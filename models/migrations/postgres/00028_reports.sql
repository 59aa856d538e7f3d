-- +goose Up
-- Issue 14: the dashboard's reports read a tenant's events by type and
-- time, and its invoices by the time they were paid.
CREATE INDEX events_tenant_type ON events (tenant_id, type, created_at);
CREATE INDEX invoices_tenant_paid ON invoices (tenant_id, paid_at);

-- A business reads its reports.
UPDATE policies SET statements = replace(statements, '"reconciliation:read",', '"reconciliation:read","reports:read",')
 WHERE id = '00000000-0000-4000-8000-000000000102' AND statements NOT LIKE '%"reports:%';

-- +goose Down
UPDATE policies SET statements = replace(statements, '"reports:read",', '')
 WHERE id = '00000000-0000-4000-8000-000000000102';
DROP INDEX invoices_tenant_paid;
DROP INDEX events_tenant_type;
