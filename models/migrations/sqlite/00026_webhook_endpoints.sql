-- +goose Up
-- Issue 13: a business's webhook endpoints. Their signing secret (and the
-- one it replaced, valid until previous_secret_until) and the secret of
-- their authentication scheme are sealed together under the master keys,
-- with the endpoint's ID as associated data.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    event_types           TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL DEFAULT 1,
    auth                  TEXT NOT NULL DEFAULT '{}',
    sealed_secrets        TEXT NOT NULL,
    previous_secret_until DATETIME,
    disabled_reason       TEXT NOT NULL DEFAULT '',
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);

-- +goose Down
DROP TABLE webhook_endpoints;
