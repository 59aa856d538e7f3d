-- +goose Up
-- Refunds of paid payments (issue 12): pending until the gateway has
-- returned the money or refused to. What is refunded of a payment is the
-- sum of its refunds not failed, checked against what was paid under a
-- lock of the payment's row, so two refunds at once never return more.
CREATE TABLE refunds (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id       uuid NOT NULL,
    payment_id        uuid NOT NULL REFERENCES payments (id) ON DELETE RESTRICT,
    invoice_id        uuid NOT NULL,
    amount            bigint NOT NULL CHECK (amount > 0),
    currency          text NOT NULL,
    reason            text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_reason    text NOT NULL DEFAULT '',
    gateway_reference text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id, id);
CREATE INDEX refunds_tenant ON refunds (tenant_id, id);
CREATE INDEX refunds_customer ON refunds (customer_id, id);

-- A succeeded refund credits its invoice: one credit note each.
CREATE TABLE credit_notes (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL,
    customer_id uuid NOT NULL,
    invoice_id  uuid NOT NULL,
    refund_id   uuid NOT NULL UNIQUE REFERENCES refunds (id) ON DELETE RESTRICT,
    amount      bigint NOT NULL CHECK (amount > 0),
    currency    text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id, id);

-- What succeeded refunds returned of a payment and credited its invoice,
-- kept by the store as refunds settle (the workflows' writes leave them).
ALTER TABLE payments ADD COLUMN amount_refunded bigint NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN amount_credited bigint NOT NULL DEFAULT 0;

-- A payment a gateway reports disputed (a chargeback) stays paid, marked.
ALTER TABLE payments ADD COLUMN disputed_at timestamptz;

-- +goose Down
ALTER TABLE payments DROP COLUMN disputed_at;
ALTER TABLE invoices DROP COLUMN amount_credited;
ALTER TABLE payments DROP COLUMN amount_refunded;
DROP TABLE credit_notes;
DROP TABLE refunds;
