-- +goose Up
-- Keys for HTTP Signatures (HMAC). The verifier needs the secret itself, so
-- it is stored sealed with the master key (AES-256-GCM, bound to the key's
-- ID), never in plain text. required_headers is a JSON array of the header
-- names every signature by this key must cover.
CREATE TABLE signing_keys (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    algorithm        TEXT NOT NULL,
    required_headers TEXT NOT NULL,
    sealed_secret    TEXT NOT NULL,
    expires_at       DATETIME,
    created_at       DATETIME NOT NULL,
    last_used_at     DATETIME,
    revoked_at       DATETIME
);
CREATE INDEX signing_keys_client ON signing_keys (client_id, id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE signing_keys;
