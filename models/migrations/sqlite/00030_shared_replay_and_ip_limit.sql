-- +goose Up
-- Two pieces of the identity core's state move out of each API process's
-- memory, so that replicas behind a load balancer share them (the
-- topology's two replicas accepted a replayed signature and let an address
-- fail twice its budget).
--
-- seen_signatures is the HTTP-Signature replay cache: one row per accepted
-- signature, keyed by its key and MAC bytes, kept until its Date leaves the
-- skew (expires_at). Inserting a row that is still live is a replay; a row
-- past its end is taken over. The hourly purge deletes expired rows.
CREATE TABLE seen_signatures (
    key_id     TEXT NOT NULL,
    mac        BLOB NOT NULL,
    expires_at DATETIME NOT NULL,
    PRIMARY KEY (key_id, mac)
);
CREATE INDEX seen_signatures_expires ON seen_signatures (expires_at);

-- login_ip_throttles is the failed-login budget of each client address, a
-- token bucket kept as the time it is full again (full_at, microseconds
-- since the Unix epoch, so that one upsert moves it on either database).
-- id is the SHA-256 of the address, as login_throttles hashes its sources.
CREATE TABLE login_ip_throttles (
    id      TEXT PRIMARY KEY,
    full_at INTEGER NOT NULL
);
CREATE INDEX login_ip_throttles_full ON login_ip_throttles (full_at);

-- +goose Down
DROP TABLE login_ip_throttles;
DROP TABLE seen_signatures;
