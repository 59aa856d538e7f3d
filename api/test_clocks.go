package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/testclocks"
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

func (h *handlers) createTestClock(c *gin.Context) error {
	var req struct {
		FrozenTime *time.Time `json:"frozenTime"`
		Name       string     `json:"name"`
		TenantID   *uuid.UUID `json:"tenantId"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.FrozenTime == nil {
		return Invalid("frozenTime", "frozenTime is required (RFC 3339)", nil)
	}
	if err := validTime("frozenTime", *req.FrozenTime); err != nil {
		return err
	}
	if len([]rune(req.Name)) > 200 || hasControlChar(req.Name) {
		return Invalid("name", "name must be at most 200 printable characters", nil)
	}
	clock, err := h.TestClocks.Create(c.Request.Context(), caller(c), testclocks.New{TenantID: req.TenantID, Name: req.Name, FrozenTime: *req.FrozenTime})
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewTestClock(clock))
	return nil
}

func (h *handlers) getTestClock(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	clock, err := h.TestClocks.Get(c.Request.Context(), caller(c).Scope(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewTestClock(clock))
	return nil
}

func (h *handlers) listTestClocks(c *gin.Context) error {
	lf, err := readListFilter(c, nil)
	if err != nil {
		return err
	}
	scope := tenancy.Scope{Tenant: lf.tenant}
	return respondPage(c, lf.limit, func(limit int) ([]models.TestClock, error) {
		return h.TestClocks.List(c.Request.Context(), scope, lf.after, limit)
	}, func(tc models.TestClock) uuid.UUID { return tc.ID }, viewTestClock)
}

// advanceTestClock is POST /v1/test-clocks/{id}/advance {"to"}: it answers
// at once, with the clock advancing.
func (h *handlers) advanceTestClock(c *gin.Context) error {
	var req struct {
		To *time.Time `json:"to"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if req.To == nil {
		return Invalid("to", "to is required (RFC 3339)", nil)
	}
	if err := validTime("to", *req.To); err != nil {
		return err
	}
	clock, err := h.TestClocks.Advance(c.Request.Context(), caller(c).Scope(), id, *req.To)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewTestClock(clock))
	return nil
}

// deleteTestClock is DELETE /v1/test-clocks/{id}: the clock is gone at
// once; its workflow cancels what lives on it.
func (h *handlers) deleteTestClock(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.TestClocks.Delete(c.Request.Context(), caller(c).Scope(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
