-- +goose Up
-- The billing projection: subscriptions, invoices and payments as their
-- workflows last reported them. version is the workflow's change counter;
-- a write with an older version is ignored.
--
-- A test clock is a tenant's simulated time; subscriptions and purchases bound
-- to one live on it, and clock_time is how far each has caught up.
CREATE TABLE test_clocks (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    name        text NOT NULL DEFAULT '',
    frozen_time timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX test_clocks_tenant ON test_clocks (tenant_id, id);

CREATE TABLE subscriptions (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id          uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    price_id             uuid NOT NULL REFERENCES prices (id) ON DELETE RESTRICT,
    quantity             bigint NOT NULL CHECK (quantity >= 1),
    status               text NOT NULL CHECK (status IN ('pending', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'expired')),
    currency             text NOT NULL CHECK (length(currency) = 3),
    amount               bigint NOT NULL CHECK (amount >= 0),
    payment_method_id    uuid REFERENCES payment_methods (id) ON DELETE SET NULL,
    gateway              text NOT NULL DEFAULT '',
    test_clock_id        uuid REFERENCES test_clocks (id) ON DELETE RESTRICT,
    clock_time           timestamptz,
    current_period_start timestamptz,
    current_period_end   timestamptz,
    trial_end            timestamptz,
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    canceled_at          timestamptz,
    paused_at            timestamptz,
    ended_at             timestamptz,
    -- No foreign key: the invoice refers to the subscription.
    latest_invoice_id    uuid,
    version              bigint NOT NULL CHECK (version >= 0),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id, id);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, id);

CREATE TABLE invoices (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id     uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    subscription_id uuid REFERENCES subscriptions (id) ON DELETE RESTRICT,
    -- No foreign key: the payment refers to the invoice.
    payment_id      uuid,
    status          text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    currency        text NOT NULL CHECK (length(currency) = 3),
    total           bigint NOT NULL,
    credit_applied  bigint NOT NULL CHECK (credit_applied >= 0),
    amount_due      bigint NOT NULL CHECK (amount_due >= 0),
    lines           text, -- JSON
    period_start    timestamptz,
    period_end      timestamptz,
    paid_at         timestamptz,
    version         bigint NOT NULL CHECK (version >= 0),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX invoices_tenant ON invoices (tenant_id, id);
CREATE INDEX invoices_customer ON invoices (customer_id, id);
CREATE INDEX invoices_subscription ON invoices (subscription_id, id);

CREATE TABLE payments (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    customer_id       uuid NOT NULL REFERENCES clients (id) ON DELETE RESTRICT,
    invoice_id        uuid NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    subscription_id   uuid REFERENCES subscriptions (id) ON DELETE RESTRICT,
    price_id          uuid REFERENCES prices (id) ON DELETE RESTRICT,
    amount            bigint NOT NULL CHECK (amount >= 0),
    currency          text NOT NULL CHECK (length(currency) = 3),
    gateway           text NOT NULL DEFAULT '',
    payment_method_id uuid REFERENCES payment_methods (id) ON DELETE SET NULL,
    status            text NOT NULL CHECK (status IN ('pending', 'retrying', 'paid', 'expired', 'failed', 'canceled')),
    attempts          text, -- JSON
    approval_url      text NOT NULL DEFAULT '',
    decline_code      text NOT NULL DEFAULT '',
    next_attempt_at   timestamptz,
    paid_at           timestamptz,
    test_clock_id     uuid REFERENCES test_clocks (id) ON DELETE RESTRICT,
    clock_time        timestamptz,
    version           bigint NOT NULL CHECK (version >= 0),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
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
