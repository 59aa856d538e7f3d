-- +goose Up
-- The sandbox gateway's ledger, shared by every worker process: one row per
-- idempotency key, so tests can prove each invoice was charged once.
CREATE TABLE sandbox_charges (
    key          text PRIMARY KEY,
    reference    text NOT NULL UNIQUE,
    customer_id  text NOT NULL,
    token        text NOT NULL,
    amount       bigint NOT NULL,
    currency     text NOT NULL,
    description  text NOT NULL DEFAULT '',
    status       text NOT NULL,
    decline_code text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    resolved_at  timestamptz
);
CREATE INDEX sandbox_charges_customer_token ON sandbox_charges (customer_id, token, status);

CREATE TABLE sandbox_attempts (
    key   text PRIMARY KEY,
    count integer NOT NULL
);

-- +goose Down
DROP TABLE sandbox_attempts;
DROP TABLE sandbox_charges;
