-- +goose Up
-- A tenant's catalog: products and their prices. Prices are immutable
-- apart from `active`: a subscription refers to the price it was sold at.
CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT true,
    archived_at DATETIME,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX products_tenant ON products (tenant_id, id);

CREATE TABLE prices (
    id             TEXT PRIMARY KEY,
    product_id     TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    tenant_id      TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    currency       TEXT NOT NULL,
    type           TEXT NOT NULL CHECK (type IN ('one_time', 'recurring')),
    interval       TEXT,
    interval_count INTEGER,
    trial_days     INTEGER NOT NULL DEFAULT 0,
    dunning        TEXT,
    active         BOOLEAN NOT NULL DEFAULT true,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX prices_product ON prices (product_id, id);

-- +goose Down
DROP TABLE prices;
DROP TABLE products;
