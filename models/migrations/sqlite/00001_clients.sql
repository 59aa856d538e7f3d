-- +goose Up
-- Clients are every account: admins and businesses (tenant_id NULL) and the
-- customers of a business (tenant_id = that business's client id).
CREATE TABLE clients (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT REFERENCES clients (id) ON DELETE RESTRICT,
    login                TEXT NOT NULL CHECK (length(login) BETWEEN 1 AND 128),
    email                TEXT NOT NULL DEFAULT '',
    display_name         TEXT NOT NULL DEFAULT '',
    birthdate            DATE,
    disabled             BOOLEAN NOT NULL DEFAULT false,
    password_hash        TEXT NOT NULL DEFAULT '',
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    last_login_at        DATETIME,
    last_login_ip        TEXT NOT NULL DEFAULT '',
    last_failed_login_at DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
-- Logins are unique within a tenant; NULL tenants share one namespace.
CREATE UNIQUE INDEX clients_tenant_login ON clients (IFNULL(tenant_id, ''), login);
CREATE INDEX clients_tenant ON clients (tenant_id, id);

-- +goose Down
DROP TABLE clients;
