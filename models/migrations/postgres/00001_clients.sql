-- +goose Up
-- Clients are every account: admins and businesses (tenant_id NULL) and the
-- customers of a business (tenant_id = that business's client id).
CREATE TABLE clients (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid REFERENCES clients (id) ON DELETE RESTRICT,
    login                text NOT NULL CHECK (length(login) BETWEEN 1 AND 128),
    email                text NOT NULL DEFAULT '',
    display_name         text NOT NULL DEFAULT '',
    birthdate            date,
    disabled             boolean NOT NULL DEFAULT false,
    password_hash        text NOT NULL DEFAULT '',
    failed_logins        integer NOT NULL DEFAULT 0,
    last_login_at        timestamptz,
    last_login_ip        text NOT NULL DEFAULT '',
    last_failed_login_at timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
-- Logins are unique within a tenant; NULL tenants share one namespace.
CREATE UNIQUE INDEX clients_tenant_login ON clients (COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), login);
CREATE INDEX clients_tenant ON clients (tenant_id, id);

-- +goose Down
DROP TABLE clients;
