package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows"
)

// TestClocks is the test clock store as the HTTP layer uses it.
type TestClocks interface {
	CreateTestClock(ctx context.Context, c *models.TestClock) error
	TestClockByID(ctx context.Context, id uuid.UUID) (*models.TestClock, error)
	TestClocks(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.TestClock, error)
	AdvanceTestClock(ctx context.Context, id uuid.UUID, from, to, now time.Time) error
	ClockBound(ctx context.Context, clockID uuid.UUID, behind *time.Time) (models.ClockBound, error)
}

// maxAdvance bounds one advance of a test clock, as Stripe bounds its own.
const maxAdvance = 2 * 366 * 24 * time.Hour

var (
	errClockAdvancing = &Problem{Status: http.StatusConflict, Detail: Error{Code: "CLOCK_ADVANCING", Message: "the test clock is still advancing; wait until it is ready"}}
	errClockGateway   = Invalid("testClockId", "test clocks work with the sandbox gateway only", nil)
)

// testClockView is a test clock as the API shows it.
type testClockView struct {
	ID         uuid.UUID `json:"id"`
	TenantID   uuid.UUID `json:"tenantId"`
	Name       string    `json:"name"`
	FrozenTime time.Time `json:"frozenTime"`
	// Status is advancing until every subscription and purchase on the
	// clock has caught up with FrozenTime, then ready.
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// viewTestClock shows a clock with its status, which it reads from what
// runs on the clock.
func (h *handlers) viewTestClock(ctx context.Context, c *models.TestClock) (testClockView, error) {
	frozen := c.FrozenTime.UTC()
	behind, err := h.TestClocks.ClockBound(ctx, c.ID, &frozen)
	if err != nil {
		return testClockView{}, err
	}
	v := testClockView{ID: c.ID, TenantID: c.TenantID, Name: c.Name, FrozenTime: frozen, Status: "ready",
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	if len(behind.Subscriptions)+len(behind.Purchases) > 0 {
		v.Status = "advancing"
	}
	return v, nil
}

func (h *handlers) respondTestClock(c *gin.Context, status int, clock *models.TestClock) {
	v, err := h.viewTestClock(c.Request.Context(), clock)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, v)
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
	h.respondTestClock(c, http.StatusCreated, clock)
}

// visibleTestClock loads the clock in the path, if the caller may see it.
func (h *handlers) visibleTestClock(c *gin.Context) (*models.TestClock, error) {
	return visible(c, h.TestClocks.TestClockByID, func(tc *models.TestClock) (uuid.UUID, uuid.UUID) { return tc.TenantID, uuid.Nil })
}

// getTestClock is GET /v1/test-clocks/{id}.
func (h *handlers) getTestClock(c *gin.Context) {
	clock, err := h.visibleTestClock(c)
	if err != nil {
		fail(c, err)
		return
	}
	h.respondTestClock(c, http.StatusOK, clock)
}

// listTestClocks is GET /v1/test-clocks.
func (h *handlers) listTestClocks(c *gin.Context) {
	lf, err := readListFilter(c, nil)
	if err != nil {
		fail(c, err)
		return
	}
	clocks, next, err := page(lf.limit, func(limit int) ([]models.TestClock, error) {
		return h.TestClocks.TestClocks(c.Request.Context(), lf.tenant, lf.after, limit)
	}, func(tc models.TestClock) uuid.UUID { return tc.ID })
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]testClockView, len(clocks))
	for i := range clocks {
		if out[i], err = h.viewTestClock(c.Request.Context(), &clocks[i]); err != nil {
			fail(c, err)
			return
		}
	}
	respondList(c, out, next)
}

// advanceTestClock is POST /v1/test-clocks/{id}/advance {"to"}: every
// subscription and purchase on the clock is told first, then the clock
// moves; it answers at once, advancing until they have all caught up.
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
	switch from := clock.FrozenTime.UTC(); {
	case !to.After(from):
		fail(c, Invalid("to", "to must be after the clock's time, "+from.Format(time.RFC3339), req.To.Format(time.RFC3339)))
		return
	case to.Sub(from) > maxAdvance:
		fail(c, Invalid("to", "a clock moves at most two years at a time", req.To.Format(time.RFC3339)))
		return
	}
	if err := validTime("to", to); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if v, err := h.viewTestClock(ctx, clock); err != nil || v.Status != "ready" {
		if err == nil {
			err = errClockAdvancing
		}
		fail(c, err)
		return
	}
	bound, err := h.TestClocks.ClockBound(ctx, clock.ID, nil)
	if err != nil {
		fail(c, err)
		return
	}
	ids := make([]string, 0, len(bound.Subscriptions)+len(bound.Purchases))
	for _, id := range bound.Subscriptions {
		ids = append(ids, workflows.SubscriptionWorkflowID(id))
	}
	for _, id := range bound.Purchases {
		ids = append(ids, workflows.PaymentWorkflowID(id))
	}
	for _, id := range ids {
		err := h.Signaler.SignalWorkflow(ctx, id, "", workflows.ClockAdvanceSignal, to)
		var ended *serviceerror.NotFound
		if err != nil && !errors.As(err, &ended) {
			fail(c, errUnavailable) // the clock has not moved; a retry tells them again, harmlessly
			return
		}
	}
	if err := h.TestClocks.AdvanceTestClock(ctx, clock.ID, clock.FrozenTime, to, time.Now().UTC()); err != nil {
		if errors.Is(err, models.ErrConflict) {
			err = errClockAdvancing
		}
		fail(c, err)
		return
	}
	clock.FrozenTime = to
	h.respondTestClock(c, http.StatusOK, clock)
}

// saleClock resolves a sale's test clock: one of the customer's tenant,
// ready, and paid through the sandbox. nil when none is named.
func (h *handlers) saleClock(ctx context.Context, named *string, tenant uuid.UUID, gateway string) (*workflows.TestClock, error) {
	if named == nil {
		return nil, nil
	}
	id, err := parseID("testClockId", named)
	if err != nil {
		return nil, err
	}
	clock, err := h.TestClocks.TestClockByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && clock.TenantID != tenant) {
		return nil, Invalid("testClockId", "no such test clock", id.String())
	}
	if err != nil {
		return nil, err
	}
	if gateway != sandbox.Name {
		return nil, errClockGateway
	}
	v, err := h.viewTestClock(ctx, clock)
	if err != nil {
		return nil, err
	}
	if v.Status != "ready" {
		return nil, errClockAdvancing
	}
	return &workflows.TestClock{ID: clock.ID, Now: clock.FrozenTime.UTC()}, nil
}
