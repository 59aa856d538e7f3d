package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// Findings are what the reconciliation runs found (models.Reconciliation).
type Findings interface {
	Findings(ctx context.Context, tenant *uuid.UUID, before uuid.UUID, limit int) ([]models.Finding, error)
}

// findingView is a reconciliation finding as the API shows it.
type findingView struct {
	ID        uuid.UUID  `json:"id"`
	RunID     string     `json:"runId"`
	TenantID  *uuid.UUID `json:"tenantId"`
	Kind      string     `json:"kind"`
	PaymentID *uuid.UUID `json:"paymentId"`
	RefundID  *uuid.UUID `json:"refundId"`
	EventID   *string    `json:"eventId"`
	Gateway   *string    `json:"gateway"`
	Action    string     `json:"action"`
	Detail    string     `json:"detail"`
	CreatedAt time.Time  `json:"createdAt"`
}

func viewFinding(f *models.Finding) findingView {
	return findingView{ID: f.ID, RunID: f.RunID, TenantID: f.TenantID, Kind: f.Kind, PaymentID: f.PaymentID, RefundID: f.RefundID,
		EventID: optional(f.EventID), Gateway: optional(f.Gateway), Action: f.Action, Detail: f.Detail, CreatedAt: f.CreatedAt.UTC()}
}

// listFindings is GET /v1/reconciliation: newest first, a business's own
// tenant's, an admin's every tenant's or the one named.
func (h *handlers) listFindings(c *gin.Context) error {
	lf, err := readListFilter(c, nil)
	if err != nil {
		return err
	}
	return respondPage(c, lf.limit, func(limit int) ([]models.Finding, error) {
		return h.Findings.Findings(c.Request.Context(), lf.tenant, lf.after, limit)
	}, func(f models.Finding) uuid.UUID { return f.ID }, viewFinding)
}
