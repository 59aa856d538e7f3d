package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/reports"
)

// reportView is a report's window and its points, a day each (and a
// currency, for money).
type reportView[P any] struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Points []P    `json:"points"`
}

// report serves GET /v1/reports/<name>: the caller's own tenant's series,
// or for an admin the tenantId it names, over the window from..to.
func report[P any](h *handlers, series func(*reports.Service, context.Context, uuid.UUID, reports.Window) ([]P, error)) func(*gin.Context) error {
	return func(c *gin.Context) error {
		named, err := idQuery(c, "tenantId")
		if err != nil {
			return err
		}
		tenant, err := caller(c).TenantFor(named)
		if err != nil {
			return err
		}
		w, err := reports.ParseWindow(c.Query("from"), c.Query("to"), h.Now())
		if err != nil {
			return err
		}
		points, err := series(h.Dashboard, c.Request.Context(), tenant, w)
		if err != nil {
			return err
		}
		respond(c, http.StatusOK, reportView[P]{From: w.From.Format("2006-01-02"), To: w.To.Format("2006-01-02"), Points: points})
		return nil
	}
}
