-- +goose Up
-- Failed logins are throttled per account and source (issue 9, finding 7):
-- one row per (login, tenant, client IP), keyed by the SHA-256 of the three,
-- and counted by compare-and-swap as clients.failed_logins used to be.
-- account is the SHA-256 of login and tenant, to clear every source of an
-- account at once. The same rows serve logins that match no account, so an
-- unknown login answers as a known one does. clients.failed_logins and
-- last_failed_login_at stay as statistics; nothing locks a whole account
-- any more, so clients.locked_until goes.
CREATE TABLE login_throttles (
    id           TEXT PRIMARY KEY,
    account      TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until DATETIME,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX login_throttles_account ON login_throttles (account);
CREATE INDEX login_throttles_updated ON login_throttles (updated_at);
ALTER TABLE clients DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE clients ADD COLUMN locked_until DATETIME;
DROP TABLE login_throttles;
