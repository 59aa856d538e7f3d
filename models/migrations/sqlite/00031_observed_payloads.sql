-- +goose Up
-- Listen mode's observations, shared by every API process: per role and
-- action, summaries of the payloads its members' accepted requests
-- carried (payloadcheck.Observer.Summary), each kept once by the SHA-256
-- of its text. Past a bound, a process merges a role's summaries for an
-- action into one summary, reusing the oldest IDs, so that the order they
-- are replayed in stays the order they were seen in. A deleted role's go
-- with it.
CREATE TABLE observed_payloads (
    id      INTEGER PRIMARY KEY,
    role_id TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    action  TEXT NOT NULL,
    hash    TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (role_id, action, hash)
);

-- +goose Down
DROP TABLE observed_payloads;
