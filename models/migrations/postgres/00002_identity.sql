-- +goose Up
-- Lockout state: failed_logins counts attempts since the last success;
-- locked_until refuses logins until then (growing backoff).
ALTER TABLE clients ADD COLUMN locked_until timestamptz;
ALTER TABLE clients ADD COLUMN password_changed_at timestamptz;

-- Roles carry a level: customer (0) < business (1) < admin (2). The three
-- built-in roles cannot be deleted; custom roles name the level they grant.
CREATE TABLE roles (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    level       smallint NOT NULL CHECK (level BETWEEN 0 AND 2),
    builtin     boolean NOT NULL DEFAULT false,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Policies hold their statements as JSON (validated by auth/policy).
CREATE TABLE policies (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    description text NOT NULL DEFAULT '',
    statements  text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE role_policies (
    role_id   uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    policy_id uuid NOT NULL REFERENCES policies (id) ON DELETE RESTRICT,
    PRIMARY KEY (role_id, policy_id)
);

CREATE TABLE client_roles (
    client_id uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    role_id   uuid NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    PRIMARY KEY (client_id, role_id)
);
CREATE INDEX client_roles_role ON client_roles (role_id);

-- A session is found by the SHA-256 of its secret; the secret itself is
-- never stored. expires_at slides with use up to absolute_expires_at.
CREATE TABLE sessions (
    id                  uuid PRIMARY KEY,
    client_id           uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    secret_hash         text NOT NULL UNIQUE,
    ip                  text NOT NULL DEFAULT '',
    user_agent          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    last_seen_at        timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    revoked_at          timestamptz
);
CREATE INDEX sessions_client ON sessions (client_id, created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose StatementBegin
INSERT INTO roles (id, name, level, builtin, description, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'customer', 0, true, 'A business''s customer', now(), now()),
  ('00000000-0000-4000-8000-000000000002', 'business', 1, true, 'A tenant: sells products to its customers', now(), now()),
  ('00000000-0000-4000-8000-000000000003', 'admin',    2, true, 'Runs the platform', now(), now());
-- +goose StatementEnd

-- +goose StatementBegin
INSERT INTO policies (id, name, description, statements, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000101', 'admin-default', 'Everything',
   '[{"effect":"allow","actions":["*"],"resources":["*"]}]', now(), now()),
  ('00000000-0000-4000-8000-000000000102', 'business-default', 'A tenant''s own catalog, customers and billing',
   '[{"effect":"allow","actions":["auth:*","profile:*","clients:*","products:*","customers:*","subscriptions:*","purchases:*","payments:*","invoices:*","entitlements:*","test-clocks:*","webhook-endpoints:*","api-keys:*","signing-keys:*","audit-events:read"],"resources":["*"]},{"effect":"deny","actions":["roles:*","policies:*"],"resources":["*"]}]', now(), now()),
  ('00000000-0000-4000-8000-000000000103', 'customer-default', 'A customer''s own purchases',
   '[{"effect":"allow","actions":["auth:*","profile:*","products:read","subscriptions:create","subscriptions:read","subscriptions:cancel","purchases:create","payments:read","invoices:read","entitlements:read"],"resources":["*"]}]', now(), now());
-- +goose StatementEnd

INSERT INTO role_policies (role_id, policy_id) VALUES
  ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000103'),
  ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000102'),
  ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000101');

-- +goose Down
DROP TABLE sessions;
DROP TABLE client_roles;
DROP TABLE role_policies;
DROP TABLE policies;
DROP TABLE roles;
ALTER TABLE clients DROP COLUMN password_changed_at;
ALTER TABLE clients DROP COLUMN locked_until;
