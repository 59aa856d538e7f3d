package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/billgate/billgate/models"
)

// Audited identity actions.
const (
	AuditLogin            = "login"
	AuditBasic            = "basic" // Basic credentials on a call
	AuditLogout           = "logout"
	AuditPasswordChange   = "password.change"
	AuditSessionsRevoke   = "sessions.revoke"
	AuditAPIKeyCreate     = "api-key.create"
	AuditAPIKeyRevoke     = "api-key.revoke"
	AuditSigningKeyCreate = "signing-key.create"
	AuditSigningKeyRevoke = "signing-key.revoke"
)

// auditStore keeps the audit trail.
type auditStore interface {
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
}

// Audit records an identity event. A failure to record is logged, not
// returned: the event already happened.
func Audit(ctx context.Context, store auditStore, log *slog.Logger, e models.AuditEvent, details map[string]any) {
	if details != nil {
		b, _ := json.Marshal(details)
		e.Details = string(b)
	}
	if err := store.RecordAudit(ctx, &e); err != nil {
		log.ErrorContext(ctx, "audit event not recorded", slog.String("action", e.Action), slog.Any("error", err))
	}
}

// event is an audit event about subject, acted on by actor (nil: the
// subject itself, as at login).
func event(action, outcome, ip string, actor, subject *models.Client, at time.Time) models.AuditEvent {
	e := models.AuditEvent{OccurredAt: at, Action: action, Outcome: outcome, IP: ip}
	if subject != nil {
		e.SubjectID = &subject.ID
		e.TenantID = models.TenantOf(subject)
		e.ActorID = &subject.ID
	}
	if actor != nil {
		e.ActorID = &actor.ID
	}
	return e
}

// auditor is Audit bound to its store and log, for the feature types.
type auditor struct {
	store auditStore
	log   *slog.Logger
}

func (a auditor) record(ctx context.Context, e models.AuditEvent, details map[string]any) {
	Audit(ctx, a.store, a.log, e, details)
}
