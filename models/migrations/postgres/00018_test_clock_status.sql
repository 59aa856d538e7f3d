-- +goose Up
-- A test clock is a state machine (issue 10, hole 12), as Stripe's: ready
-- at frozen_time; advancing to target_time while a TestClockWorkflow brings
-- everything on it there; internal_failure when that gave up; deleting
-- while its subscriptions end, then deleted. Rows stay: subscriptions and
-- payments refer to them. Clocks mid-advance before this migration are
-- taken as ready: their advance went on without the clock.
ALTER TABLE test_clocks ADD COLUMN status text NOT NULL DEFAULT 'ready'
    CHECK (status IN ('ready', 'advancing', 'internal_failure', 'deleting', 'deleted'));
ALTER TABLE test_clocks ADD COLUMN target_time timestamptz;

-- +goose Down
ALTER TABLE test_clocks DROP COLUMN target_time;
ALTER TABLE test_clocks DROP COLUMN status;
