package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// AuditLog is the audit trail as the HTTP layer uses it.
type AuditLog interface {
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
	AuditEvents(ctx context.Context, f models.AuditFilter) ([]models.AuditEvent, error)
}

// Audited account actions taken through /v1/clients.
const (
	auditClientCreate   = "client.create"
	auditClientUpdate   = "client.update"
	auditClientDisable  = "client.disable"
	auditClientEnable   = "client.enable"
	auditClientDelete   = "client.delete"
	auditClientRoles    = "client.roles"
	auditClientPassword = "client.password"
	auditClientSessions = "client.sessions.revoke"
)

// audit records that the caller did action to subject.
func (h *handlers) audit(c *gin.Context, action string, subject *models.Client, details map[string]any) {
	p := principal(c)
	e := models.AuditEvent{
		OccurredAt: time.Now().UTC(), Action: action, Outcome: models.OutcomeOK, IP: c.ClientIP(),
		ActorID: &p.Client.ID, SubjectID: &subject.ID, TenantID: models.TenantOf(subject),
	}
	auth.Audit(c.Request.Context(), h.AuditLog, h.Logger, e, details)
}

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

// listAuditEvents is GET /v1/audit-events: an admin sees every event
// (tenantId filters), a business its own tenant's, a customer granted it
// its own account's.
func (h *handlers) listAuditEvents(c *gin.Context) {
	f := models.AuditFilter{Limit: defaultPageSize, Action: c.Query("action")}
	if err := pageParams(c, &f.Limit, &f.After); err != nil {
		fail(c, err)
		return
	}
	for name, dst := range map[string]**uuid.UUID{"tenantId": &f.TenantID, "subjectId": &f.SubjectID} {
		if s := c.Query(name); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				fail(c, Invalid(name, name+" must be a UUID", s))
				return
			}
			*dst = &id
		}
	}
	switch p := principal(c); {
	case p.Level >= models.LevelAdmin:
	case p.Client.TenantID != nil: // a customer: its own account's trail only
		f.TenantID, f.SubjectID = p.Client.TenantID, &p.Client.ID
	default:
		f.TenantID = &p.Client.ID
	}
	events, next, err := page(f.Limit, func(limit int) ([]models.AuditEvent, error) {
		f.Limit = limit
		return h.AuditLog.AuditEvents(c.Request.Context(), f)
	}, func(e models.AuditEvent) uuid.UUID { return e.ID })
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]auditView, len(events))
	for i, e := range events {
		out[i] = auditView{ID: e.ID, OccurredAt: e.OccurredAt.UTC(), TenantID: e.TenantID, ActorID: e.ActorID, SubjectID: e.SubjectID,
			Action: e.Action, Outcome: e.Outcome, IP: e.IP, Details: json.RawMessage(e.Details)}
	}
	respondList(c, out, next)
}
