-- +goose Up
-- A tenant's catalog: products and their prices. Prices are immutable
-- apart from `active`: a subscription refers to the price it was sold at.
CREATE TABLE products (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX products_tenant ON products (tenant_id, id);

CREATE TABLE prices (
    id             uuid PRIMARY KEY,
    product_id     uuid NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    tenant_id      uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    amount         bigint NOT NULL CHECK (amount >= 0),
    currency       text NOT NULL,
    type           text NOT NULL CHECK (type IN ('one_time', 'recurring')),
    interval       text,
    interval_count integer,
    trial_days     integer NOT NULL DEFAULT 0,
    dunning        text,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX prices_product ON prices (product_id, id);

-- +goose Down
DROP TABLE prices;
DROP TABLE products;
