-- +goose Up
-- Issue 12: a business connects its gateway accounts, refunds its
-- customers' payments and reads its reconciliation; a customer reads the
-- refunds of its own payments. The built-in policies gain those actions,
-- next to the ones they already list, unless an admin rewrote them.
UPDATE policies SET statements = replace(statements, '"test-clocks:*",', '"test-clocks:*","gateway-accounts:*","refunds:*","reconciliation:read",')
 WHERE id = '00000000-0000-4000-8000-000000000102' AND statements NOT LIKE '%gateway-accounts:%';
UPDATE policies SET statements = replace(statements, '"invoices:read",', '"invoices:read","refunds:read",')
 WHERE id = '00000000-0000-4000-8000-000000000103' AND statements NOT LIKE '%refunds:%';

-- +goose Down
UPDATE policies SET statements = replace(statements, '"gateway-accounts:*","refunds:*","reconciliation:read",', '')
 WHERE id = '00000000-0000-4000-8000-000000000102';
UPDATE policies SET statements = replace(statements, '"refunds:read",', '')
 WHERE id = '00000000-0000-4000-8000-000000000103';
