-- +goose Up
-- A business's own account at a real gateway (issue 12). Credentials the
-- gateway's Connector marks secret are kept sealed under the master keys
-- (sealed_secrets, a sealed JSON object); the others are shown as given
-- (settings, a JSON object). The last_* columns say whether the gateway
-- last answered a call through the account, written by whoever called.
CREATE TABLE gateway_accounts (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    gateway          TEXT NOT NULL CHECK (length(gateway) BETWEEN 1 AND 32),
    mode             TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    name             TEXT NOT NULL DEFAULT '',
    currencies       TEXT NOT NULL DEFAULT '',
    settings         TEXT NOT NULL DEFAULT '{}',
    sealed_secrets   TEXT NOT NULL,
    secret_names     TEXT NOT NULL DEFAULT '',
    last_answered_at DATETIME,
    last_failed_at   DATETIME,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX gateway_accounts_tenant ON gateway_accounts (tenant_id, id);

-- A saved payment method of a connected gateway names its account, which
-- then cannot be deleted while the method is saved.
ALTER TABLE payment_methods ADD COLUMN gateway_account_id TEXT REFERENCES gateway_accounts (id) ON DELETE RESTRICT;

-- +goose Down
ALTER TABLE payment_methods DROP COLUMN gateway_account_id;
DROP TABLE gateway_accounts;
