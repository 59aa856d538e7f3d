-- +goose Up
-- The billing projection: subscriptions, invoices and payments as their
-- workflows last reported them. version is the workflow's change counter;
-- a write with an older version is ignored.
--
-- A test clock is a tenant's simulated time; subscriptions and purchases bound
-- to one live on it, and clock_time is how far each has caught up.
CREATE TABLE test_clocks (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    name        TEXT NOT NULL DEFAULT '',
    frozen_time DATETIME NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX test_clocks_tenant ON test_clocks (tenant_id, id);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id          TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    price_id             TEXT NOT NULL REFERENCES prices (id) ON DELETE RESTRICT,
    quantity             INTEGER NOT NULL CHECK (quantity >= 1),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'expired')),
    currency             TEXT NOT NULL CHECK (length(currency) = 3),
    amount               INTEGER NOT NULL CHECK (amount >= 0),
    payment_method_id    TEXT REFERENCES payment_methods (id) ON DELETE SET NULL,
    gateway              TEXT NOT NULL DEFAULT '',
    test_clock_id        TEXT REFERENCES test_clocks (id) ON DELETE RESTRICT,
    clock_time           DATETIME,
    current_period_start DATETIME,
    current_period_end   DATETIME,
    trial_end            DATETIME,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
    canceled_at          DATETIME,
    paused_at            DATETIME,
    ended_at             DATETIME,
    -- No foreign key: the invoice refers to the subscription.
    latest_invoice_id    TEXT,
    version              INTEGER NOT NULL CHECK (version >= 0),
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id, id);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, id);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id     TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    subscription_id TEXT REFERENCES subscriptions (id) ON DELETE RESTRICT,
    -- No foreign key: the payment refers to the invoice.
    payment_id      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    total           INTEGER NOT NULL,
    credit_applied  INTEGER NOT NULL CHECK (credit_applied >= 0),
    amount_due      INTEGER NOT NULL CHECK (amount_due >= 0),
    lines           TEXT, -- JSON
    period_start    DATETIME,
    period_end      DATETIME,
    paid_at         DATETIME,
    version         INTEGER NOT NULL CHECK (version >= 0),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX invoices_tenant ON invoices (tenant_id, id);
CREATE INDEX invoices_customer ON invoices (customer_id, id);
CREATE INDEX invoices_subscription ON invoices (subscription_id, id);

CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id       TEXT NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    invoice_id        TEXT NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    subscription_id   TEXT REFERENCES subscriptions (id) ON DELETE RESTRICT,
    price_id          TEXT REFERENCES prices (id) ON DELETE RESTRICT,
    amount            INTEGER NOT NULL CHECK (amount >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    gateway           TEXT NOT NULL DEFAULT '',
    payment_method_id TEXT REFERENCES payment_methods (id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'paid', 'expired', 'failed', 'canceled')),
    attempts          TEXT, -- JSON
    approval_url      TEXT NOT NULL DEFAULT '',
    decline_code      TEXT NOT NULL DEFAULT '',
    next_attempt_at   DATETIME,
    paid_at           DATETIME,
    test_clock_id     TEXT REFERENCES test_clocks (id) ON DELETE RESTRICT,
    clock_time        DATETIME,
    version           INTEGER NOT NULL CHECK (version >= 0),
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX payments_tenant ON payments (tenant_id, id);
CREATE INDEX payments_customer ON payments (customer_id, id);
CREATE INDEX payments_invoice ON payments (invoice_id);
CREATE INDEX payments_test_clock ON payments (test_clock_id);
CREATE INDEX subscriptions_test_clock ON subscriptions (test_clock_id);

-- +goose Down
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE subscriptions;
DROP TABLE test_clocks;
