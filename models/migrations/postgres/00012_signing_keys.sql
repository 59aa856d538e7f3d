-- +goose Up
-- Keys for HTTP Signatures (HMAC). The verifier needs the secret itself, so
-- it is stored sealed with the master key (AES-256-GCM, bound to the key's
-- ID), never in plain text. required_headers is a JSON array of the header
-- names every signature by this key must cover.
CREATE TABLE signing_keys (
    id               uuid PRIMARY KEY,
    client_id        uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name             text NOT NULL,
    algorithm        text NOT NULL,
    required_headers text NOT NULL,
    sealed_secret    text NOT NULL,
    expires_at       timestamptz,
    created_at       timestamptz NOT NULL,
    last_used_at     timestamptz,
    revoked_at       timestamptz
);
CREATE INDEX signing_keys_client ON signing_keys (client_id, id) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE signing_keys;
