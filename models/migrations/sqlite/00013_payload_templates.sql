-- +goose Up
-- Payload templates (seed 004): a policy carries templates per action
-- (payloads: {"action": [template, …]}) and the static values of their
-- variables (substitutions). A session keeps the templates compiled at its
-- login. A role in listen mode has its accepted payloads observed. Clients
-- and roles carry a payload context: values their templates' variables read.
ALTER TABLE policies ADD COLUMN payloads TEXT NOT NULL DEFAULT '{}';
ALTER TABLE policies ADD COLUMN substitutions TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sessions ADD COLUMN payload_templates TEXT;
ALTER TABLE clients ADD COLUMN payload_context TEXT NOT NULL DEFAULT '{}';
ALTER TABLE roles ADD COLUMN payload_context TEXT NOT NULL DEFAULT '{}';
ALTER TABLE roles ADD COLUMN listen BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE roles DROP COLUMN listen;
ALTER TABLE roles DROP COLUMN payload_context;
ALTER TABLE clients DROP COLUMN payload_context;
ALTER TABLE sessions DROP COLUMN payload_templates;
ALTER TABLE policies DROP COLUMN substitutions;
ALTER TABLE policies DROP COLUMN payloads;
