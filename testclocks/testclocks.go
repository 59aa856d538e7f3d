// Package testclocks runs a business's test clocks: simulated time that
// subscriptions and purchases made on a clock live on, advanced on demand
// (Stripe's test clocks). A clock's state is a row the store
// compare-and-sets; carrying an advance or a deletion to everything on the
// clock is a TestClockWorkflow's job.
package testclocks

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Gateway is the process's only gateway that follows a test clock: the
// sandbox, whose payments settle on the clock's time. A business's
// connected account follows one too, in test mode only (sales checks the
// mode): its gateway is charged when the clock makes a payment fall due.
const Gateway = "sandbox"

// MaxAdvance bounds one advance of a test clock, as Stripe bounds its own.
const MaxAdvance = 2 * 366 * 24 * time.Hour

// Store keeps the clocks.
type Store interface {
	CreateTestClock(ctx context.Context, c *models.TestClock) error
	TestClockByID(ctx context.Context, id uuid.UUID) (*models.TestClock, error)
	TestClocks(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.TestClock, error)
	StartAdvance(ctx context.Context, id uuid.UUID, from, to, now time.Time) error
	StartDelete(ctx context.Context, id uuid.UUID, now time.Time) error
}

// Workflows starts the workflow that carries a clock's change, and tells a
// sale's workflow what its clock did; the Temporal client is one.
type Workflows interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// Service is the test clocks' operations.
type Service struct {
	Store     Store
	Workflows Workflows
	Now       func() time.Time
}

// The refusals of a clock that is not ready.
var (
	ErrAdvancing = &fault.ConflictError{Code: "CLOCK_ADVANCING", Message: "the test clock is still advancing; wait until it is ready"}
	ErrFailed    = &fault.ConflictError{Code: "CLOCK_INTERNAL_FAILURE", Message: "the test clock failed to advance; delete it and use another"}
	// ErrStalled: the clock took the change but its workflow did not
	// start; the same request again starts it.
	ErrStalled = &fault.UnavailableError{Message: "the test clock is advancing but its advance did not start; retry the same request to resume it"}
)

// New is a clock to create: for a business its own, for an admin the
// tenant it names.
type New struct {
	TenantID   *uuid.UUID
	Name       string
	FrozenTime time.Time
}

// Create makes a clock, ready at its frozen time (to the second).
func (s *Service) Create(ctx context.Context, caller tenancy.Caller, req New) (*models.TestClock, error) {
	tenant, err := caller.TenantFor(req.TenantID)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	clock := &models.TestClock{TenantID: tenant, Name: req.Name, FrozenTime: req.FrozenTime.UTC().Truncate(time.Second), CreatedAt: now, UpdatedAt: now}
	err = s.Store.CreateTestClock(ctx, clock)
	if errors.Is(err, models.ErrInUse) {
		return nil, fault.Invalid("tenantId", "no such tenant", tenant.String())
	}
	return clock, err
}

// Get is a clock the scope sees; a deleted one is not found.
func (s *Service) Get(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.TestClock, error) {
	clock, err := s.own(ctx, scope, id)
	if err == nil && clock.Gone() {
		return nil, models.ErrNotFound
	}
	return clock, err
}

// own is a clock the scope sees, deleted or not.
func (s *Service) own(ctx context.Context, scope tenancy.Scope, id uuid.UUID) (*models.TestClock, error) {
	clock, err := s.Store.TestClockByID(ctx, id)
	if err == nil && !scope.Allows(clock.TenantID, uuid.Nil) {
		return nil, models.ErrNotFound
	}
	return clock, err
}

// List is a page of the clocks in scope, after the cursor.
func (s *Service) List(ctx context.Context, scope tenancy.Scope, after uuid.UUID, limit int) ([]models.TestClock, error) {
	return s.Store.TestClocks(ctx, scope.Tenant, after, limit)
}

// Advance sets the clock advancing to to (a compare-and-set, so of two
// advances one wins and the other is refused) and starts the
// TestClockWorkflow that brings everything on the clock there and then sets
// it ready. The same advance again joins the one under way, which resumes
// an advance whose workflow did not start.
func (s *Service) Advance(ctx context.Context, scope tenancy.Scope, id uuid.UUID, to time.Time) (*models.TestClock, error) {
	clock, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	from, asked := clock.FrozenTime.UTC(), to.Format(time.RFC3339)
	to = to.UTC().Truncate(time.Second)
	switch {
	case !to.After(from):
		return nil, fault.Invalid("to", "to must be after the clock's time, "+from.Format(time.RFC3339), asked)
	case to.Sub(from) > MaxAdvance:
		return nil, fault.Invalid("to", "a clock moves at most two years at a time", asked)
	}
	if !advancingTo(clock, to) {
		if err := s.startAdvance(ctx, clock, to); err != nil {
			return nil, err
		}
	}
	if err := s.startChange(ctx, contract.TestClockChange{ClockID: clock.ID, To: to}); err != nil {
		return nil, err
	}
	return s.Store.TestClockByID(ctx, clock.ID)
}

// advancingTo reports whether the clock is advancing to to already.
func advancingTo(clock *models.TestClock, to time.Time) bool {
	return clock.Status == models.ClockAdvancing && clock.TargetTime != nil && clock.TargetTime.Equal(to)
}

// startAdvance sets a ready clock advancing to to. Losing the
// compare-and-set to the same advance is joining it.
func (s *Service) startAdvance(ctx context.Context, clock *models.TestClock, to time.Time) error {
	if err := notReady(clock); err != nil {
		return err
	}
	err := s.Store.StartAdvance(ctx, clock.ID, clock.FrozenTime, to, s.Now().UTC())
	if !errors.Is(err, models.ErrConflict) {
		return err
	}
	now, err := s.Store.TestClockByID(ctx, clock.ID)
	switch {
	case err != nil:
		return err
	case now.Gone():
		return models.ErrNotFound
	case advancingTo(now, to):
		return nil
	case notReady(now) != nil:
		return notReady(now)
	}
	return ErrAdvancing // it advanced and is ready again: to is stale
}

// notReady is why a clock takes no advance and no new sale, or nil.
func notReady(clock *models.TestClock) error {
	switch clock.Status {
	case models.ClockReady:
		return nil
	case models.ClockInternalFailure:
		return ErrFailed
	}
	return ErrAdvancing
}

// Delete makes the clock gone at once, and a TestClockWorkflow cancels
// every subscription on it, and every purchase not settled, before it
// marks the clock deleted. Deleting a clock being deleted joins the
// deletion under way.
func (s *Service) Delete(ctx context.Context, scope tenancy.Scope, id uuid.UUID) error {
	clock, err := s.own(ctx, scope, id)
	if err == nil && clock.Status == models.ClockDeleted {
		err = models.ErrNotFound
	}
	if err != nil {
		return err
	}
	if clock.Status != models.ClockDeleting {
		// Losing to a concurrent deletion is joining it.
		if err := s.Store.StartDelete(ctx, clock.ID, s.Now().UTC()); err != nil && !errors.Is(err, models.ErrConflict) {
			return err
		}
	}
	return s.startChange(ctx, contract.TestClockChange{ClockID: clock.ID, Delete: true})
}

// startChange starts the workflow that carries a change to the clock's
// subscriptions and purchases, or joins it if it runs. The clock has taken
// the change already: a failure here is told as such, and the same request
// again starts it.
func (s *Service) startChange(ctx context.Context, ch contract.TestClockChange) error {
	_, err := s.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       contract.TestClockWorkflowID(ch),
		TaskQueue:                contract.SubscriptionsTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A finished run of the same change found the clock moved on; a new
		// one finds the same and stops.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, contract.TestClockWorkflowType, ch)
	if err != nil {
		return ErrStalled
	}
	return nil
}

// ForSale resolves the clock a sale names: one of the customer's tenant,
// ready, and paid through the sandbox. nil when none is named.
func (s *Service) ForSale(ctx context.Context, id *uuid.UUID, tenant uuid.UUID, gateway string) (*contract.TestClock, error) {
	if id == nil {
		return nil, nil
	}
	clock, err := s.Store.TestClockByID(ctx, *id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && (clock.TenantID != tenant || clock.Gone())) {
		return nil, fault.Invalid("testClockId", "no such test clock", id.String())
	}
	if err != nil {
		return nil, err
	}
	if !Follows(gateway) {
		return nil, fault.Invalid("testClockId", "test clocks work with the sandbox gateway and test-mode gateway accounts only", nil)
	}
	if err := notReady(clock); err != nil {
		return nil, err
	}
	return &contract.TestClock{ID: clock.ID, Now: clock.FrozenTime.UTC()}, nil
}

// Follows reports whether payments through gateway (a payment's route) can
// live on a test clock: the sandbox's, and a connected account's.
func Follows(gateway string) bool {
	_, account, err := contract.ParseGatewayRoute(gateway)
	return gateway == Gateway || err == nil && account != uuid.Nil
}

// Follow keeps a sale just started on a clock on the clock's time: the
// clock was ready when the sale read it, but an advance (or a deletion) may
// have begun since, and found nothing of the sale in the database yet. The
// sale's workflow is told now what it missed; telling it twice is harmless.
func (s *Service) Follow(ctx context.Context, bound *contract.TestClock, workflowID string, isPurchase bool) error {
	clock, err := s.Store.TestClockByID(ctx, bound.ID)
	if err != nil {
		return err
	}
	signal := func(name string, arg any) error { return s.Workflows.SignalWorkflow(ctx, workflowID, "", name, arg) }
	switch {
	case clock.Gone() && isPurchase:
		err = signal(contract.WithdrawSignal, contract.Withdraw{Open: true})
	case clock.Gone():
		err = signal(contract.CancelSignal, contract.Cancel{})
	case clock.TargetTime != nil:
		err = signal(contract.ClockAdvanceSignal, clock.TargetTime.UTC())
	case clock.FrozenTime.After(bound.Now):
		err = signal(contract.ClockAdvanceSignal, clock.FrozenTime.UTC())
	}
	var ended *serviceerror.NotFound
	if errors.As(err, &ended) {
		return nil
	}
	return err
}
