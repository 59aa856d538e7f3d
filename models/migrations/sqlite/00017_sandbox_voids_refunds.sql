-- +goose Up
-- The sandbox gateway voids pending charges and refunds succeeded ones
-- (issue 10, hole 3). A void leaves the charge 'voided' under its key; a
-- refund is whole and one per charge, so it lives on the charge's row, and
-- its key is unique across the ledger.
ALTER TABLE sandbox_charges ADD COLUMN void_key TEXT NOT NULL DEFAULT '';
ALTER TABLE sandbox_charges ADD COLUMN refund_key TEXT;
ALTER TABLE sandbox_charges ADD COLUMN refund_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE sandbox_charges ADD COLUMN refunded_at DATETIME;
CREATE UNIQUE INDEX sandbox_charges_refund_key ON sandbox_charges (refund_key);

-- +goose Down
DROP INDEX sandbox_charges_refund_key;
ALTER TABLE sandbox_charges DROP COLUMN refunded_at;
ALTER TABLE sandbox_charges DROP COLUMN refund_reference;
ALTER TABLE sandbox_charges DROP COLUMN refund_key;
ALTER TABLE sandbox_charges DROP COLUMN void_key;
