-- +goose Up
-- Customers may change the payment method of their own subscriptions, as in
-- Stripe's customer portal. The edit keeps whatever else an admin changed in
-- the built-in policy.
UPDATE policies
SET statements = replace(statements, '"subscriptions:cancel"', '"subscriptions:cancel","subscriptions:payment-method"')
WHERE id = '00000000-0000-4000-8000-000000000103'
  AND statements NOT LIKE '%subscriptions:payment-method%';

-- +goose Down
UPDATE policies
SET statements = replace(statements, ',"subscriptions:payment-method"', '')
WHERE id = '00000000-0000-4000-8000-000000000103';
