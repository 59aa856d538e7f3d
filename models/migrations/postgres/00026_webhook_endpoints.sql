-- +goose Up
-- Issue 13: a business's webhook endpoints. Their signing secret (and the
-- one it replaced, valid until previous_secret_until) and the secret of
-- their authentication scheme are sealed together under the master keys,
-- with the endpoint's ID as associated data.
CREATE TABLE webhook_endpoints (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL,
    url                   text NOT NULL,
    description           text NOT NULL DEFAULT '',
    event_types           text NOT NULL,
    enabled               boolean NOT NULL DEFAULT true,
    auth                  text NOT NULL DEFAULT '{}',
    sealed_secrets        text NOT NULL,
    previous_secret_until timestamptz,
    disabled_reason       text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);

-- +goose Down
DROP TABLE webhook_endpoints;
