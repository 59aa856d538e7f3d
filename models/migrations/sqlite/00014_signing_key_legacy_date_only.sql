-- +goose Up
-- A signing key's rules (issue 9): by default a signature must cover
-- (request-target), host and date, and digest when the request has a body.
-- legacy_date_only keeps the seed's rule (date alone) for a key created so;
-- existing keys get the new default rules.
ALTER TABLE signing_keys ADD COLUMN legacy_date_only BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE signing_keys DROP COLUMN legacy_date_only;
