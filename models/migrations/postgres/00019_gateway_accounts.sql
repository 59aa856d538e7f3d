-- +goose Up
-- A business's own account at a real gateway (issue 12). Credentials the
-- gateway's Connector marks secret are kept sealed under the master keys
-- (sealed_secrets, a sealed JSON object); the others are shown as given
-- (settings, a JSON object). The last_* columns say whether the gateway
-- last answered a call through the account, written by whoever called.
CREATE TABLE gateway_accounts (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    gateway          text NOT NULL CHECK (length(gateway) BETWEEN 1 AND 32),
    mode             text NOT NULL CHECK (mode IN ('test', 'live')),
    name             text NOT NULL DEFAULT '',
    currencies       text NOT NULL DEFAULT '',
    settings         text NOT NULL DEFAULT '{}',
    sealed_secrets   text NOT NULL,
    secret_names     text NOT NULL DEFAULT '',
    last_answered_at timestamptz,
    last_failed_at   timestamptz,
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX gateway_accounts_tenant ON gateway_accounts (tenant_id, id);

-- A saved payment method of a connected gateway names its account, which
-- then cannot be deleted while the method is saved.
ALTER TABLE payment_methods ADD COLUMN gateway_account_id uuid REFERENCES gateway_accounts (id) ON DELETE RESTRICT;

-- +goose Down
ALTER TABLE payment_methods DROP COLUMN gateway_account_id;
DROP TABLE gateway_accounts;
