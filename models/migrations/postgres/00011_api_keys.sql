-- +goose Up
-- API keys act for their owner, optionally narrowed to some of the owner's
-- policies (policy_names, a JSON array; NULL means all of them). Only the
-- SHA-256 of the secret is stored; hint is its last four characters.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    client_id    uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name         text NOT NULL,
    secret_hash  text NOT NULL UNIQUE,
    hint         text NOT NULL,
    policy_names text,
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_client ON api_keys (client_id, id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_keys;
