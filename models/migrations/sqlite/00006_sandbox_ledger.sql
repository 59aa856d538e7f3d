-- +goose Up
-- The sandbox gateway's ledger, shared by every worker process: one row per
-- idempotency key, so tests can prove each invoice was charged once.
CREATE TABLE sandbox_charges (
    key          TEXT PRIMARY KEY,
    reference    TEXT NOT NULL UNIQUE,
    customer_id  TEXT NOT NULL,
    token        TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    decline_code TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    resolved_at  DATETIME
);
CREATE INDEX sandbox_charges_customer_token ON sandbox_charges (customer_id, token, status);

CREATE TABLE sandbox_attempts (
    key   TEXT PRIMARY KEY,
    count INTEGER NOT NULL
);

-- +goose Down
DROP TABLE sandbox_attempts;
DROP TABLE sandbox_charges;
