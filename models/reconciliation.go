package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/workflows/contract"
)

// Reconciliation keeps what the reconciliation finds and reads what it
// looks at.
type Reconciliation struct{ *conn }

// Finding is one thing a reconciliation run found, and what it did.
type Finding struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	RunID     string
	TenantID  *uuid.UUID
	Kind      string
	PaymentID *uuid.UUID
	RefundID  *uuid.UUID
	EventID   string
	Gateway   string
	Action    string
	Detail    string
	CreatedAt time.Time
}

// TableName is the findings' table.
func (Finding) TableName() string { return "reconciliation_findings" }

// RecordFindings keeps findings; one already kept (by ID) is left.
func (s *Reconciliation) RecordFindings(ctx context.Context, fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&fs).Error)
}

// Findings pages through a tenant's findings (every tenant's with a nil
// tenant), newest first: the cursor is the last ID of the previous page.
func (s *Reconciliation) Findings(ctx context.Context, tenant *uuid.UUID, before uuid.UUID, limit int) ([]Finding, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if tenant != nil {
		q = q.Where("tenant_id = ?", *tenant)
	}
	if before != uuid.Nil {
		q = q.Where("id < ?", before)
	}
	return findReadable[Finding](s.conn, q)
}

// reportedAgain is how long a stale payment or refund a run reported is
// left out of the next runs: a day between reports of one thing, and room
// in each run for the others.
const reportedAgain = 24 * time.Hour

// StalePayments lists payments still pending, last written before before:
// their workflows should have settled or expired them by then. Oldest
// first, at most limit, less those reported within reportedAgain of now.
func (s *Reconciliation) StalePayments(ctx context.Context, before, now time.Time, limit int) ([]Payment, error) {
	q := s.db.WithContext(ctx).Where("status = ? AND updated_at < ?", contract.PaymentPending, before).
		Where("id NOT IN (?)", s.reported(ctx, contract.FindingStalePayment, "payment_id", now)).Order("updated_at").Limit(limit)
	return findReadable[Payment](s.conn, q)
}

// StaleRefunds lists refunds still pending, last written before before,
// less those reported within reportedAgain of now.
func (s *Reconciliation) StaleRefunds(ctx context.Context, before, now time.Time, limit int) ([]Refund, error) {
	q := s.db.WithContext(ctx).Where("status = ? AND updated_at < ?", contract.RefundPending, before).
		Where("id NOT IN (?)", s.reported(ctx, contract.FindingStaleRefund, "refund_id", now)).Order("updated_at").Limit(limit)
	return findReadable[Refund](s.conn, q)
}

// UndeliveredEvents lists the events of kind that name a payment, received
// before before and never delivered, oldest first, at most limit, less
// those a run reported as a finding of kind finding within reportedAgain
// of now.
func (s *Reconciliation) UndeliveredEvents(ctx context.Context, kind, finding string, before, now time.Time, limit int) ([]WebhookEvent, error) {
	q := s.db.WithContext(ctx).Where("delivered_at IS NULL AND kind = ? AND payment_id IS NOT NULL AND received_at < ?", kind, before).
		Where("id NOT IN (?)", s.reported(ctx, finding, "event_id", now)).Order("received_at").Limit(limit)
	return findReadable[WebhookEvent](s.conn, q)
}

// reported selects the column of the findings of kind reported within
// reportedAgain of now.
func (s *Reconciliation) reported(ctx context.Context, kind, column string, now time.Time) *gorm.DB {
	return s.db.WithContext(ctx).Model(&Finding{}).Select(column).
		Where("kind = ? AND action = ? AND created_at > ? AND "+column+" IS NOT NULL", kind, contract.ActionReported, now.Add(-reportedAgain))
}

// ClosedPayment is the payment id when it is closed (expired, failed or
// canceled): a charge that succeeded for it moved money no invoice asks
// for. ok is false for an open or paid payment.
func (s *Reconciliation) ClosedPayment(ctx context.Context, id uuid.UUID) (p *Payment, ok bool, err error) {
	var row Payment
	if err := translate(s.db.WithContext(ctx).Take(&row, "id = ?", id).Error); err != nil {
		return nil, false, fmt.Errorf("payment %s: %w", id, err)
	}
	switch contract.PaymentStatus(row.Status) {
	case contract.PaymentExpired, contract.PaymentFailed, contract.PaymentCanceled:
		return &row, true, nil
	}
	return &row, false, nil
}

// ExpireOrphanedPayment expires p, left pending by a workflow that is
// gone, with p.Attempts as the reconciliation settled them, and makes its
// invoice uncollectible, as the workflow would have at the end of its
// window. Only a payment still pending at p.Version is changed (expired
// false otherwise); both rows' versions grow past the workflow's.
func (s *Reconciliation) ExpireOrphanedPayment(ctx context.Context, p *Payment, at time.Time) (expired bool, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		res := q.Model(&Payment{}).Where("id = ? AND version = ? AND status = ?", p.ID, p.Version, contract.PaymentPending).
			Select("status", "attempts", "approval_url", "next_attempt_at", "version", "updated_at").
			Updates(&Payment{Status: string(contract.PaymentExpired), Attempts: p.Attempts, Version: p.Version + 1, UpdatedAt: at})
		if err := translate(res.Error); err != nil || res.RowsAffected == 0 {
			return err
		}
		expired = true
		invoice := q.Model(&Invoice{}).Where("id = ?", p.InvoiceID).Updates(map[string]any{
			"status": string(contract.UncollectibleInvoice), "version": gorm.Expr("version + 1"), "updated_at": at,
		})
		if err := translate(invoice.Error); err != nil {
			return err
		}
		if err := recordChanges(q, subject{ObjectPayment, p.ID, p.TenantID, p.CustomerID, at}, &Payment{}, []change{{typ: EventPaymentExpired}}); err != nil {
			return err
		}
		return recordChanges(q, subject{ObjectInvoice, p.InvoiceID, p.TenantID, p.CustomerID, at}, &Invoice{}, []change{{typ: EventInvoiceUncollectible}})
	})
	return expired, err
}
