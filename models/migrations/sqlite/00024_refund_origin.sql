-- +goose Up
-- Where a refund was made: through billgate's API ('api'), or at the
-- gateway, in its dashboard say ('gateway'), found and recorded by the
-- reconciliation so that it has its credit note like any other (issue 12).
ALTER TABLE refunds ADD COLUMN origin TEXT NOT NULL DEFAULT 'api';

-- +goose Down
ALTER TABLE refunds DROP COLUMN origin;
