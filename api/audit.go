package api

import (
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// auditView is an audit event as the API shows it.
type auditView struct {
	ID         uuid.UUID       `json:"id"`
	OccurredAt time.Time       `json:"occurredAt"`
	TenantID   *uuid.UUID      `json:"tenantId"`
	ActorID    *uuid.UUID      `json:"actorId"`
	SubjectID  *uuid.UUID      `json:"subjectId"`
	Action     string          `json:"action"`
	Outcome    string          `json:"outcome"`
	IP         string          `json:"ip"`
	Details    json.RawMessage `json:"details"`
}

// listAuditEvents is GET /v1/audit-events: the part of the trail the
// caller reads (accounts.Service.AuditEvents), filtered by tenantId,
// subjectId and action.
func (h *handlers) listAuditEvents(c *gin.Context) error {
	f := models.AuditFilter{Limit: defaultPageSize, Action: c.Query("action")}
	if err := pageParams(c, &f.Limit, &f.After); err != nil {
		return err
	}
	for name, dst := range map[string]**uuid.UUID{"tenantId": &f.TenantID, "subjectId": &f.SubjectID} {
		if s := c.Query(name); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				return Invalid(name, name+" must be a UUID", s)
			}
			*dst = &id
		}
	}
	ctx, a := c.Request.Context(), actor(c)
	events, next, err := page(f.Limit, func(limit int) ([]models.AuditEvent, error) {
		f.Limit = limit
		return h.Accounts.AuditEvents(ctx, a, f)
	}, func(e models.AuditEvent) uuid.UUID { return e.ID })
	if err != nil {
		return err
	}
	out := make([]auditView, len(events))
	for i, e := range events {
		out[i] = auditView{ID: e.ID, OccurredAt: e.OccurredAt.UTC(), TenantID: e.TenantID, ActorID: e.ActorID, SubjectID: e.SubjectID,
			Action: e.Action, Outcome: e.Outcome, IP: e.IP, Details: json.RawMessage(e.Details)}
	}
	respondList(c, out, next)
	return nil
}
