package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"
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

// Audit outcomes.
const (
	outcomeOK     = "ok"
	outcomeFailed = "failed"
)

// AuditEvent is an identity event in the audit trail.
type AuditEvent struct {
	OccurredAt time.Time
	TenantID   *uuid.UUID
	ActorID    *uuid.UUID
	SubjectID  *uuid.UUID
	Action     string
	Outcome    string
	IP         string
	Details    string // JSON object; "" is none
}

// auditStore keeps the audit trail.
type auditStore interface {
	RecordAudit(ctx context.Context, e *AuditEvent) error
}

// event is an audit event about subject, acted on by actor (nil: the
// subject itself, as at login).
func event(action, outcome, ip string, actor, subject *Account, at time.Time) AuditEvent {
	e := AuditEvent{OccurredAt: at, Action: action, Outcome: outcome, IP: ip}
	if subject != nil {
		e.SubjectID = &subject.ID
		e.TenantID = subject.tenant()
		e.ActorID = &subject.ID
	}
	if actor != nil {
		e.ActorID = &actor.ID
	}
	return e
}

// auditor records the feature types' identity events in its store.
type auditor struct {
	store auditStore
	log   *slog.Logger
}

// record records an event. A failure to record is logged, not returned:
// the event already happened.
func (a auditor) record(ctx context.Context, e AuditEvent, details map[string]any) {
	if details != nil {
		b, _ := json.Marshal(details)
		e.Details = string(b)
	}
	if err := a.store.RecordAudit(ctx, &e); err != nil {
		a.log.ErrorContext(ctx, "audit event not recorded", slog.String("action", e.Action), slog.Any("error", err))
	}
}
