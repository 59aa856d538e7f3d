-- +goose Up
-- Idempotency-Key: the first answer to a key, replayed for repeats with
-- the same request. status is 0 while the first request is in progress.
CREATE TABLE idempotency_keys (
    client_id    TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
