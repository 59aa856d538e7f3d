package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Audit is the audit trail.
type Audit struct{ *conn }

// AuditEvent records one identity event: who (Actor) did what (Action) to
// whom (Subject), from where, and how it ended.
type AuditEvent struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	OccurredAt time.Time
	TenantID   *uuid.UUID
	ActorID    *uuid.UUID
	SubjectID  *uuid.UUID
	Action     string
	Outcome    string
	IP         string `gorm:"column:ip"`
	Details    string // JSON object
}

// Audit outcomes.
const (
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
)

// RecordAudit appends an event.
func (s *Audit) RecordAudit(ctx context.Context, e *AuditEvent) error {
	if e.ID == uuid.Nil {
		e.ID = uuid.Must(uuid.NewV7())
	}
	if e.Details == "" {
		e.Details = "{}"
	}
	if err := translate(s.db.WithContext(ctx).Create(e).Error); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter narrows AuditEvents.
type AuditFilter struct {
	TenantID  *uuid.UUID // only this tenant's events
	SubjectID *uuid.UUID
	Action    string
	After     uuid.UUID // the cursor
	Limit     int
}

// AuditEvents pages through events, oldest first (IDs are UUIDv7).
func (s *Audit) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(f.Limit)
	if f.TenantID != nil {
		q = q.Where("tenant_id = ?", *f.TenantID)
	}
	if f.SubjectID != nil {
		q = q.Where("subject_id = ?", *f.SubjectID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	var out []AuditEvent
	return out, translate(q.Find(&out).Error)
}

// TenantOf is the tenant a client's events belong to: a customer's
// business, or the platform account itself (a business is its own tenant).
func TenantOf(c *Client) *uuid.UUID {
	if c.TenantID != nil {
		return c.TenantID
	}
	return &c.ID
}
