-- +goose Up
-- A version per client, moved in the transaction of every change to what
-- its principal holds (account, roles, sessions, keys), and one for
-- everyone (client_id all zeros), moved by role and policy edits. API
-- processes cache principals and compare these on every request, so a
-- change applies on the next request on every replica. A client's row
-- outlives the client: its deletion is a change too.
CREATE TABLE identity_versions (
    client_id uuid PRIMARY KEY,
    version   bigint NOT NULL
);

-- +goose Down
DROP TABLE identity_versions;
