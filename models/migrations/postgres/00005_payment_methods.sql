-- +goose Up
-- A customer's saved way to pay: a gateway and the token that gateway gave.
CREATE TABLE payment_methods (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    gateway     text NOT NULL,
    token       text NOT NULL CHECK (length(token) BETWEEN 1 AND 255),
    created_at  timestamptz NOT NULL
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, id);

-- +goose Down
DROP TABLE payment_methods;
