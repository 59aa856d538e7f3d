-- +goose Up
-- A key reserves the ID of what its request creates (issue 10, hole 1): a
-- retry after a lost answer creates under the same ID and finds what the
-- first request started. claimed_at is when the running request took the
-- key; a claim older than the lease belongs to a process that died, and a
-- released key (a 5xx) has it at the epoch, so a retry takes either over.
ALTER TABLE idempotency_keys ADD COLUMN resource_id uuid;
ALTER TABLE idempotency_keys ADD COLUMN claimed_at timestamptz;
UPDATE idempotency_keys SET claimed_at = created_at;
ALTER TABLE idempotency_keys ALTER COLUMN claimed_at SET NOT NULL;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN claimed_at;
ALTER TABLE idempotency_keys DROP COLUMN resource_id;
