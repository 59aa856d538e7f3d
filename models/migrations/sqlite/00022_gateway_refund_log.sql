-- +goose Up
-- The refunds made through a connected gateway that takes no idempotency
-- key of billgate's (Skrill), by billgate's key, so that a repeated refund
-- is answered rather than made again: shared by every process, and kept
-- across restarts. key and charge are scoped to their account
-- ("<account ID>/<key>"); reference is the refund's at the gateway, so
-- scoped, once the gateway answered; record is the rest, the gateway's own
-- JSON. in_flight marks a refund sent whose answer never came.
CREATE TABLE gateway_refund_log (
    key       TEXT PRIMARY KEY,
    charge    TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    record    TEXT NOT NULL,
    in_flight BOOLEAN NOT NULL,
    at        DATETIME NOT NULL
);
CREATE INDEX gateway_refund_log_charge ON gateway_refund_log (charge, at);
CREATE INDEX gateway_refund_log_reference ON gateway_refund_log (reference) WHERE reference <> '';

-- +goose Down
DROP TABLE gateway_refund_log;
