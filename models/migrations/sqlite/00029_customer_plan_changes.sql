-- +goose Up
-- Issue 14: a price change is its own action, subscriptions:change-price,
-- so that customers may change their own plan (as in Stripe's customer
-- portal) without being able to pause; every policy that allowed it under
-- subscriptions:update keeps it. Customers also manage their own saved
-- payment methods (customers:read and customers:update reach only the
-- caller's own account).
UPDATE policies
SET statements = replace(statements, '"subscriptions:update"', '"subscriptions:update","subscriptions:change-price"')
WHERE statements LIKE '%"subscriptions:update"%'
  AND statements NOT LIKE '%"subscriptions:change-price"%';
UPDATE policies
SET statements = replace(statements, '"subscriptions:cancel"', '"subscriptions:cancel","subscriptions:change-price"')
WHERE id = '00000000-0000-4000-8000-000000000103'
  AND statements NOT LIKE '%"subscriptions:change-price"%';
UPDATE policies
SET statements = replace(statements, '"products:read"', '"products:read","customers:read","customers:update"')
WHERE id = '00000000-0000-4000-8000-000000000103'
  AND statements NOT LIKE '%"customers:%';

-- +goose Down
UPDATE policies
SET statements = replace(replace(statements, ',"customers:read","customers:update"', ''), ',"subscriptions:change-price"', '');
