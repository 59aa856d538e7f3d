-- +goose Up
-- API keys act for their owner, optionally narrowed to some of the owner's
-- policies (policy_names, a JSON array; NULL means all of them). Only the
-- SHA-256 of the secret is stored; hint is its last four characters.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    policy_names TEXT,
    expires_at   DATETIME,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_keys_client ON api_keys (client_id, id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_keys;
