-- +goose Up
-- Idempotency-Key: the first answer to a key, replayed for repeats with
-- the same request. status is 0 while the first request is in progress.
CREATE TABLE idempotency_keys (
    client_id    uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    content_type text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
