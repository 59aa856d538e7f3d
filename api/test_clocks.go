package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// TestClocks is the test clock store as the HTTP layer uses it.
type TestClocks interface {
	CreateTestClock(ctx context.Context, c *models.TestClock) error
	TestClockByID(ctx context.Context, id uuid.UUID) (*models.TestClock, error)
	TestClocks(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.TestClock, error)
	StartAdvance(ctx context.Context, id uuid.UUID, from, to, now time.Time) error
	StartDelete(ctx context.Context, id uuid.UUID, now time.Time) error
}

// maxAdvance bounds one advance of a test clock, as Stripe bounds its own.
const maxAdvance = 2 * 366 * 24 * time.Hour

var (
	errClockAdvancing = &Problem{Status: http.StatusConflict, Detail: Error{Code: "CLOCK_ADVANCING", Message: "the test clock is still advancing; wait until it is ready"}}
	errClockFailed    = &Problem{Status: http.StatusConflict, Detail: Error{Code: "CLOCK_INTERNAL_FAILURE", Message: "the test clock failed to advance; delete it and use another"}}
	errClockStalled   = &Problem{Status: http.StatusServiceUnavailable, Detail: Error{Code: "UNAVAILABLE", Message: "the test clock is advancing but its advance did not start; retry the same request to resume it"}}
	errClockGateway   = Invalid("testClockId", "test clocks work with the sandbox gateway only", nil)
)

// testClockView is a test clock as the API shows it.
type testClockView struct {
	ID         uuid.UUID `json:"id"`
	TenantID   uuid.UUID `json:"tenantId"`
	Name       string    `json:"name"`
	FrozenTime time.Time `json:"frozenTime"`
	// Status is ready, advancing (to AdvancingTo) or internal_failure.
	Status      string     `json:"status"`
	AdvancingTo *time.Time `json:"advancingTo"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

func viewTestClock(c *models.TestClock) testClockView {
	return testClockView{ID: c.ID, TenantID: c.TenantID, Name: c.Name, FrozenTime: c.FrozenTime.UTC(), Status: string(c.Status),
		AdvancingTo: utc(c.TargetTime), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

// respondTestClock answers with the clock as it stands now.
func (h *handlers) respondTestClock(c *gin.Context, status int, id uuid.UUID) {
	clock, err := h.TestClocks.TestClockByID(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, viewTestClock(clock))
}

// createTestClock is POST /v1/test-clocks: a business's own, or for an
// admin the tenant it names.
func (h *handlers) createTestClock(c *gin.Context) {
	var req struct {
		FrozenTime *time.Time `json:"frozenTime"`
		Name       string     `json:"name"`
		TenantID   *uuid.UUID `json:"tenantId"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.FrozenTime == nil {
		fail(c, Invalid("frozenTime", "frozenTime is required (RFC 3339)", nil))
		return
	}
	if err := validTime("frozenTime", *req.FrozenTime); err != nil {
		fail(c, err)
		return
	}
	if len([]rune(req.Name)) > 200 || hasControlChar(req.Name) {
		fail(c, Invalid("name", "name must be at most 200 printable characters", nil))
		return
	}
	if principal(c).Level < models.LevelAdmin && req.TenantID != nil {
		fail(c, errPermissionDenied)
		return
	}
	tenant, err := tenantOf(c, req.TenantID)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now().UTC()
	clock := &models.TestClock{TenantID: tenant, Name: req.Name, FrozenTime: req.FrozenTime.UTC().Truncate(time.Second), CreatedAt: now, UpdatedAt: now}
	if err := h.TestClocks.CreateTestClock(c.Request.Context(), clock); err != nil {
		if errors.Is(err, models.ErrInUse) {
			err = Invalid("tenantId", "no such tenant", tenant.String())
		}
		fail(c, err)
		return
	}
	respond(c, http.StatusCreated, viewTestClock(clock))
}

// visibleTestClock loads the clock in the path, if the caller may see it:
// a deleted clock is not found.
func (h *handlers) visibleTestClock(c *gin.Context) (*models.TestClock, error) {
	clock, err := h.ownTestClock(c)
	if err == nil && clock.Gone() {
		return nil, errNotFound
	}
	return clock, err
}

// ownTestClock loads the clock in the path, deleted or not, if the caller
// may see it.
func (h *handlers) ownTestClock(c *gin.Context) (*models.TestClock, error) {
	return visible(c, h.TestClocks.TestClockByID, func(tc *models.TestClock) (uuid.UUID, uuid.UUID) { return tc.TenantID, uuid.Nil })
}

// getTestClock is GET /v1/test-clocks/{id}.
func (h *handlers) getTestClock(c *gin.Context) {
	clock, err := h.visibleTestClock(c)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewTestClock(clock))
}

// listTestClocks is GET /v1/test-clocks.
func (h *handlers) listTestClocks(c *gin.Context) {
	lf, err := readListFilter(c, nil)
	if err != nil {
		fail(c, err)
		return
	}
	respondPage(c, lf.limit, func(limit int) ([]models.TestClock, error) {
		return h.TestClocks.TestClocks(c.Request.Context(), lf.tenant, lf.after, limit)
	}, func(tc models.TestClock) uuid.UUID { return tc.ID }, viewTestClock)
}

// advanceTestClock is POST /v1/test-clocks/{id}/advance {"to"}: it sets
// the clock advancing to the time (a compare-and-set, so of two advances
// one wins and the other is refused) and starts the TestClockWorkflow that
// brings everything on the clock there and then sets it ready. It answers
// at once, with the clock advancing. The same advance again joins the one
// under way, which resumes an advance whose workflow did not start.
func (h *handlers) advanceTestClock(c *gin.Context) {
	var req struct {
		To *time.Time `json:"to"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	clock, err := h.visibleTestClock(c)
	if err != nil {
		fail(c, err)
		return
	}
	if req.To == nil {
		fail(c, Invalid("to", "to is required (RFC 3339)", nil))
		return
	}
	to := req.To.UTC().Truncate(time.Second)
	if err := validAdvance(clock.FrozenTime.UTC(), to, *req.To); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if !advancingTo(clock, to) {
		if err := h.startAdvance(ctx, clock, to); err != nil {
			fail(c, err)
			return
		}
	}
	if err := h.startClockChange(ctx, contract.TestClockChange{ClockID: clock.ID, To: to}); err != nil {
		fail(c, err)
		return
	}
	h.respondTestClock(c, http.StatusOK, clock.ID)
}

// validAdvance checks an advance from from to to (given as asked).
func validAdvance(from, to, asked time.Time) error {
	switch {
	case !to.After(from):
		return Invalid("to", "to must be after the clock's time, "+from.Format(time.RFC3339), asked.Format(time.RFC3339))
	case to.Sub(from) > maxAdvance:
		return Invalid("to", "a clock moves at most two years at a time", asked.Format(time.RFC3339))
	}
	return validTime("to", to)
}

// advancingTo reports whether the clock is advancing to to already.
func advancingTo(clock *models.TestClock, to time.Time) bool {
	return clock.Status == models.ClockAdvancing && clock.TargetTime != nil && clock.TargetTime.Equal(to)
}

// startAdvance sets a ready clock advancing to to. Losing the
// compare-and-set to the same advance is joining it.
func (h *handlers) startAdvance(ctx context.Context, clock *models.TestClock, to time.Time) error {
	if err := notReady(clock); err != nil {
		return err
	}
	err := h.TestClocks.StartAdvance(ctx, clock.ID, clock.FrozenTime, to, time.Now().UTC())
	if !errors.Is(err, models.ErrConflict) {
		return err
	}
	now, err := h.TestClocks.TestClockByID(ctx, clock.ID)
	switch {
	case err != nil:
		return err
	case now.Gone():
		return errNotFound
	case advancingTo(now, to):
		return nil
	case notReady(now) != nil:
		return notReady(now)
	}
	return errClockAdvancing // it advanced and is ready again: to is stale
}

// notReady is why a clock takes no advance and no new sale, or nil.
func notReady(clock *models.TestClock) error {
	switch clock.Status {
	case models.ClockReady:
		return nil
	case models.ClockInternalFailure:
		return errClockFailed
	}
	return errClockAdvancing
}

// startClockChange starts the workflow that carries a change to the
// clock's subscriptions and purchases, or joins it if it runs. The clock
// has taken the change already: a failure here is told as such, and the
// same request again starts it.
func (h *handlers) startClockChange(ctx context.Context, ch contract.TestClockChange) error {
	_, err := h.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       contract.TestClockWorkflowID(ch),
		TaskQueue:                contract.SubscriptionsTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A finished run of the same change found the clock moved on; a new
		// one finds the same and stops.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, contract.TestClockWorkflowType, ch)
	if err != nil {
		return errClockStalled
	}
	return nil
}

// deleteTestClock is DELETE /v1/test-clocks/{id}: the clock is gone at
// once, and a TestClockWorkflow cancels every subscription on it, and every
// purchase not settled, before it marks the clock deleted. Deleting a clock
// being deleted joins the deletion under way.
func (h *handlers) deleteTestClock(c *gin.Context) {
	clock, err := h.ownTestClock(c)
	if err == nil && clock.Status == models.ClockDeleted {
		err = errNotFound
	}
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if clock.Status != models.ClockDeleting {
		// Losing to a concurrent deletion is joining it.
		if err := h.TestClocks.StartDelete(ctx, clock.ID, time.Now().UTC()); err != nil && !errors.Is(err, models.ErrConflict) {
			fail(c, err)
			return
		}
	}
	if err := h.startClockChange(ctx, contract.TestClockChange{ClockID: clock.ID, Delete: true}); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// saleClock resolves a sale's test clock: one of the customer's tenant,
// ready, and paid through the sandbox. nil when none is named.
func (h *handlers) saleClock(ctx context.Context, named *string, tenant uuid.UUID, gateway string) (*contract.TestClock, error) {
	if named == nil {
		return nil, nil
	}
	id, err := parseID("testClockId", named)
	if err != nil {
		return nil, err
	}
	clock, err := h.TestClocks.TestClockByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && (clock.TenantID != tenant || clock.Gone())) {
		return nil, Invalid("testClockId", "no such test clock", id.String())
	}
	if err != nil {
		return nil, err
	}
	if gateway != sandbox.Name {
		return nil, errClockGateway
	}
	if err := notReady(clock); err != nil {
		return nil, err
	}
	return &contract.TestClock{ID: clock.ID, Now: clock.FrozenTime.UTC()}, nil
}

// followClock keeps a sale just started on a clock on the clock's time:
// the clock was ready when the sale read it, but an advance (or a
// deletion) may have begun since, and found nothing of the sale in the
// database yet. The sale's workflow is told now what it missed; telling it
// twice is harmless.
func (h *handlers) followClock(ctx context.Context, bound *contract.TestClock, workflowID string, isPurchase bool) error {
	clock, err := h.TestClocks.TestClockByID(ctx, bound.ID)
	if err != nil {
		return err
	}
	var ended *serviceerror.NotFound
	switch {
	case clock.Gone() && isPurchase:
		err = h.Signaler.SignalWorkflow(ctx, workflowID, "", contract.WithdrawSignal, contract.Withdraw{Open: true})
	case clock.Gone():
		err = h.Signaler.SignalWorkflow(ctx, workflowID, "", contract.CancelSignal, contract.Cancel{})
	case clock.TargetTime != nil:
		err = h.Signaler.SignalWorkflow(ctx, workflowID, "", contract.ClockAdvanceSignal, clock.TargetTime.UTC())
	case clock.FrozenTime.After(bound.Now):
		err = h.Signaler.SignalWorkflow(ctx, workflowID, "", contract.ClockAdvanceSignal, clock.FrozenTime.UTC())
	}
	if errors.As(err, &ended) {
		return nil
	}
	return err
}
