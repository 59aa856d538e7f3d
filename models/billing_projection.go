package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// The billing projection: subscriptions, invoices and payments as their
// workflows last reported them. Workflows own these rows; activities write
// them with a version the workflow increments on every change, and a write
// whose version is not newer than the stored one changes nothing, so a late
// or retried write never overwrites a newer state.

// Billing is the billing projection and the customers' saved payment
// methods, which its rows name.
type Billing struct{ *conn }

// Subscription is the projection of a SubscriptionWorkflow.
type Subscription struct {
	ID                 uuid.UUID `gorm:"primaryKey"`
	TenantID           uuid.UUID
	CustomerID         uuid.UUID
	PriceID            uuid.UUID
	Quantity           int64
	Status             string
	Currency           string
	Amount             int64 // the price's unit amount, in minor units
	PaymentMethodID    *uuid.UUID
	Gateway            string
	TestClockID        *uuid.UUID
	CurrentPeriodStart *time.Time
	CurrentPeriodEnd   *time.Time
	TrialEnd           *time.Time
	CancelAtPeriodEnd  bool
	CanceledAt         *time.Time
	PausedAt           *time.Time
	EndedAt            *time.Time
	LatestInvoiceID    *uuid.UUID
	ClockTime          *time.Time // the test clock time the workflow has caught up with
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// SubscriptionRow is the row r writes: the one mapping from a
// subscription's workflow state to its row. SubscriptionWorkflow writes
// when what this reads changes (workflows.keyOf, kept in step by a test):
// a column taken from another field of the state changes when it writes,
// and needs a patch (docs/versioning.md).
func SubscriptionRow(r contract.SubscriptionRecord) *Subscription {
	sub := &Subscription{
		ID: r.SubscriptionID, TenantID: r.TenantID, CustomerID: r.CustomerID,
		PaymentMethodID: optionalID(r.PaymentMethodID), Gateway: r.Gateway, TestClockID: optionalID(r.TestClockID),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	sub.SetState(r.SubscriptionState)
	return sub
}

// SetState sets what a write of st overwrites: every column of the
// workflow's state but its creation time, which the row keeps from its
// first write.
func (s *Subscription) SetState(st contract.SubscriptionState) {
	s.Status, s.PriceID, s.Quantity = string(st.Status), st.Plan.PriceID, st.Quantity
	s.Amount, s.Currency = st.Plan.Amount.Amount, string(st.Plan.Amount.Currency)
	s.CurrentPeriodStart, s.CurrentPeriodEnd = optionalTime(st.CurrentPeriod.Start), optionalTime(st.CurrentPeriod.End)
	s.TrialEnd, s.CancelAtPeriodEnd = optionalTime(st.TrialEnd), st.CancelAtPeriodEnd
	s.CanceledAt, s.PausedAt, s.EndedAt = optionalTime(st.CanceledAt), optionalTime(st.PausedAt), optionalTime(st.EndedAt)
	s.LatestInvoiceID, s.ClockTime, s.Version = optionalID(st.LatestInvoiceID), optionalTime(st.ClockTime), st.Version
}

func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Invoice is what a customer owes for a period or a purchase. Lines never
// change after the invoice is opened.
type Invoice struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	TenantID       uuid.UUID
	CustomerID     uuid.UUID
	SubscriptionID *uuid.UUID
	PaymentID      *uuid.UUID
	Status         string // a contract.InvoiceStatus
	Currency       string
	Total          int64 // the sum of the lines
	CreditApplied  int64 // customer credit used, never negative
	AmountDue      int64 // Total - CreditApplied, never negative
	// AmountCredited is what credit notes credited it, kept by the store.
	AmountCredited int64          `gorm:"->"`
	Lines          []billing.Line `gorm:"serializer:json"`
	PeriodStart    *time.Time
	PeriodEnd      *time.Time
	PaidAt         *time.Time
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Payment is the projection of a PaymentWorkflow: one invoice's collection.
type Payment struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	InvoiceID       uuid.UUID
	SubscriptionID  *uuid.UUID
	PriceID         *uuid.UUID // the one-time price of a purchase
	Amount          int64
	Currency        string
	Gateway         string
	PaymentMethodID *uuid.UUID
	Status          string           // one of PaymentRowStatuses
	Attempts        []PaymentAttempt `gorm:"serializer:json"`
	ApprovalURL     string
	DeclineCode     string
	NextAttemptAt   *time.Time
	PaidAt          *time.Time
	TestClockID     *uuid.UUID // a purchase's test clock
	ClockTime       *time.Time // the test clock time a purchase has caught up with
	// AmountRefunded (by succeeded refunds) and DisputedAt (when a gateway
	// reported the payment disputed) are the store's: the workflow's
	// writes leave them (read-only here).
	AmountRefunded int64      `gorm:"->"`
	DisputedAt     *time.Time `gorm:"->"`
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// PaidBy is the reference of the charge that paid p; empty when none did.
func (p *Payment) PaidBy() string {
	for _, a := range slices.Backward(p.Attempts) {
		if a.Status == "succeeded" && a.Reference != "" {
			return a.Reference
		}
	}
	return ""
}

// PaymentAttempt is one charge of a payment at the gateway.
type PaymentAttempt struct {
	Number      int       `json:"number"`
	Status      string    `json:"status"` // succeeded, pending, declined, failed, voided, refunded
	Reference   string    `json:"reference,omitempty"`
	DeclineCode string    `json:"declineCode,omitempty"`
	At          time.Time `json:"at"`
	// RefundReference is the gateway's refund of the charge, when Status
	// is refunded.
	RefundReference string `json:"refundReference,omitempty"`
}

// PaymentRowStatuses are the statuses a payment's row shows: a scheduled
// payment has only its draft invoice (PaymentRows).
var PaymentRowStatuses = slices.DeleteFunc(slices.Clone(contract.PaymentStatuses), func(s contract.PaymentStatus) bool {
	return s == contract.PaymentScheduled
})

// PaymentRows are the rows r writes: the one mapping from a payment's
// workflow state to its invoice and its payment. The payment row appears
// when the invoice is opened: a scheduled payment, and one withdrawn before
// any attempt, have only their invoice (pay is nil).
func PaymentRows(r contract.PaymentRecord) (pay *Payment, inv *Invoice, err error) {
	total, err := billing.Total(r.Invoice.Lines)
	if err != nil {
		return nil, nil, fmt.Errorf("payment %s: %w", r.PaymentID, err)
	}
	status, ok := r.Status.Invoice()
	if !ok {
		return nil, nil, fmt.Errorf("payment %s: unknown status %q", r.PaymentID, r.Status)
	}
	inv = &Invoice{
		ID: r.InvoiceID, TenantID: r.TenantID, CustomerID: r.CustomerID,
		SubscriptionID: optionalID(r.SubscriptionID), PaymentID: &r.PaymentID,
		Status: string(status), Currency: string(r.Amount.Currency), Total: total.Amount,
		CreditApplied: r.Invoice.Credit.Amount, AmountDue: r.Amount.Amount, Lines: r.Invoice.Lines,
		PeriodStart: optionalTime(r.Invoice.PeriodStart), PeriodEnd: optionalTime(r.Invoice.PeriodEnd),
		PaidAt: optionalTime(r.PaidAt), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if status == contract.DraftInvoice || status == contract.VoidInvoice && len(r.AttemptLog) == 0 {
		return nil, inv, nil
	}
	attempts := make([]PaymentAttempt, len(r.AttemptLog))
	for i, a := range r.AttemptLog {
		attempts[i] = PaymentAttempt(a)
	}
	pay = &Payment{
		ID: r.PaymentID, TenantID: r.TenantID, CustomerID: r.CustomerID, InvoiceID: r.InvoiceID,
		SubscriptionID: optionalID(r.SubscriptionID), PriceID: optionalID(r.PriceID),
		Amount: r.Amount.Amount, Currency: string(r.Amount.Currency), Gateway: r.Gateway,
		PaymentMethodID: optionalID(r.PaymentMethodID), Status: string(r.Status), Attempts: attempts,
		ApprovalURL: r.ApprovalURL, DeclineCode: r.DeclineCode, NextAttemptAt: optionalTime(r.NextAttemptAt),
		PaidAt: optionalTime(r.PaidAt), TestClockID: optionalID(r.TestClockID), ClockTime: optionalTime(r.ClockTime),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	return pay, inv, nil
}

// UpsertSubscription stores sub unless the stored row's version is as new
// or newer; applied tells whether the row changed. A payment method deleted
// meanwhile is stored, and left in sub, as none.
func (s *Billing) UpsertSubscription(ctx context.Context, sub *Subscription) (applied bool, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		db := tx.db.WithContext(ctx)
		old, err := storedOrNil[Subscription](db, sub.ID)
		if err != nil {
			return err
		}
		if sub.PaymentMethodID, err = savedOrNone(db, sub.PaymentMethodID); err != nil {
			return err
		}
		if applied, err = upsertNewer(db, sub); err != nil || !applied {
			return err
		}
		// Every column of a subscription is the workflow's: sub is the row.
		return recordRow(db, subject{ObjectSubscription, sub.ID, sub.TenantID, sub.CustomerID, sub.UpdatedAt}, sub, subscriptionChanges(old, sub))
	})
	if err != nil {
		return false, fmt.Errorf("subscription %s: %w", sub.ID, err)
	}
	return applied, nil
}

// SubscriptionByID finds a subscription.
func (s *Billing) SubscriptionByID(ctx context.Context, id uuid.UUID) (*Subscription, error) {
	var sub Subscription
	if err := translate(s.db.WithContext(ctx).Take(&sub, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("subscription %s: %w", id, err)
	}
	return &sub, nil
}

// SubscriptionFilter narrows Subscriptions. Nil IDs, no statuses and a nil
// After do not filter; Limit is the page size.
type SubscriptionFilter struct {
	TenantID   *uuid.UUID
	CustomerID *uuid.UUID
	PriceID    *uuid.UUID
	Statuses   []string
	After      uuid.UUID // the cursor: the last ID of the previous page
	Limit      int
}

// Subscriptions pages through subscriptions in ID order.
func (s *Billing) Subscriptions(ctx context.Context, f SubscriptionFilter) ([]Subscription, error) {
	q := s.billingList(ctx, f.After, f.Limit, f.Statuses,
		idFilter{"tenant_id", f.TenantID}, idFilter{"customer_id", f.CustomerID}, idFilter{"price_id", f.PriceID})
	return findReadable[Subscription](s.conn, q)
}

// ProjectPayment stores a payment and its invoice in one transaction; either
// may be nil (a draft invoice has no payment yet). Each row is written only
// if its version is newer than the stored one; applied tells whether the
// payment row (or, without one, the invoice) changed. A payment method
// deleted meanwhile is stored, and left in p, as none.
func (s *Billing) ProjectPayment(ctx context.Context, p *Payment, inv *Invoice) (applied bool, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		if inv != nil {
			if applied, err = projectInvoice(tx.db, inv); err != nil {
				return fmt.Errorf("invoice %s: %w", inv.ID, err)
			}
		}
		if p == nil {
			return nil
		}
		if applied, err = projectPayment(tx.db, p); err != nil {
			return fmt.Errorf("payment %s: %w", p.ID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return applied, nil
}

// WithdrawRemints voids the invoices a subscription raised and nothing has
// written since (version 0) that are another mint of invoiceID, and
// cancels their payments, with the events of both. They are what a
// workflow task wrote before its worker died: the retried task raised the
// same invoice as invoiceID, and no payment workflow will ever settle
// theirs, since the task that would have started it never completed.
func (s *Billing) WithdrawRemints(ctx context.Context, subscriptionID, invoiceID uuid.UUID, at time.Time) error {
	return s.withTx(ctx, func(tx *conn) error {
		var raised []Invoice
		if err := tx.db.Where("subscription_id = ? AND version = 0 AND id <> ?", subscriptionID, invoiceID).Find(&raised).Error; err != nil {
			return err
		}
		for _, inv := range raised {
			if !contract.Remint(inv.ID, invoiceID) {
				continue
			}
			inv.Status, inv.Version, inv.UpdatedAt = string(contract.VoidInvoice), 1, at
			if _, err := projectInvoice(tx.db, &inv); err != nil {
				return fmt.Errorf("invoice %s: %w", inv.ID, err)
			}
			var payments []Payment
			if err := tx.db.Where("invoice_id = ? AND version = 0", inv.ID).Find(&payments).Error; err != nil {
				return err
			}
			for _, p := range payments {
				p.Status, p.Version, p.UpdatedAt = string(contract.PaymentCanceled), 1, at
				if _, err := projectPayment(tx.db, &p); err != nil {
					return fmt.Errorf("payment %s: %w", p.ID, err)
				}
			}
		}
		return nil
	})
}

// projectInvoice writes inv if it is newer, with the events of its change.
func projectInvoice(db *gorm.DB, inv *Invoice) (applied bool, err error) {
	old, err := storedOrNil[Invoice](db, inv.ID)
	if err != nil {
		return false, err
	}
	if applied, err = upsertNewer(db, inv); err != nil || !applied {
		return applied, err
	}
	return true, recordChanges(db, subject{ObjectInvoice, inv.ID, inv.TenantID, inv.CustomerID, inv.UpdatedAt}, &Invoice{}, invoiceChanges(old, inv))
}

// projectPayment writes p if it is newer, with the events of its change.
func projectPayment(db *gorm.DB, p *Payment) (applied bool, err error) {
	old, err := storedOrNil[Payment](db, p.ID)
	if err != nil {
		return false, err
	}
	if p.PaymentMethodID, err = savedOrNone(db, p.PaymentMethodID); err != nil {
		return false, err
	}
	if applied, err = upsertNewer(db, p); err != nil || !applied {
		return applied, err
	}
	return true, recordChanges(db, subject{ObjectPayment, p.ID, p.TenantID, p.CustomerID, p.UpdatedAt}, &Payment{}, paymentChanges(old, p))
}

// PaymentByID finds a payment.
func (s *Billing) PaymentByID(ctx context.Context, id uuid.UUID) (*Payment, error) {
	var p Payment
	if err := translate(s.db.WithContext(ctx).Take(&p, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("payment %s: %w", id, err)
	}
	return &p, nil
}

// PaymentFilter narrows Payments. Nil IDs, no statuses and a nil After do
// not filter; Limit is the page size.
type PaymentFilter struct {
	TenantID       *uuid.UUID
	CustomerID     *uuid.UUID
	SubscriptionID *uuid.UUID
	InvoiceID      *uuid.UUID
	Statuses       []string
	PurchasesOnly  bool      // only payments outside any subscription
	After          uuid.UUID // the cursor: the last ID of the previous page
	Limit          int
}

// Payments pages through payments in ID order.
func (s *Billing) Payments(ctx context.Context, f PaymentFilter) ([]Payment, error) {
	q := s.billingList(ctx, f.After, f.Limit, f.Statuses,
		idFilter{"tenant_id", f.TenantID}, idFilter{"customer_id", f.CustomerID},
		idFilter{"subscription_id", f.SubscriptionID}, idFilter{"invoice_id", f.InvoiceID})
	if f.PurchasesOnly {
		q = q.Where("subscription_id IS NULL")
	}
	return findReadable[Payment](s.conn, q)
}

// InvoiceByID finds an invoice.
func (s *Billing) InvoiceByID(ctx context.Context, id uuid.UUID) (*Invoice, error) {
	var inv Invoice
	if err := translate(s.db.WithContext(ctx).Take(&inv, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("invoice %s: %w", id, err)
	}
	return &inv, nil
}

// InvoiceFilter narrows Invoices. Nil IDs, no statuses and a nil After do
// not filter; Limit is the page size.
type InvoiceFilter struct {
	TenantID       *uuid.UUID
	CustomerID     *uuid.UUID
	SubscriptionID *uuid.UUID
	Statuses       []string
	After          uuid.UUID // the cursor: the last ID of the previous page
	Limit          int
}

// Invoices pages through invoices in ID order.
func (s *Billing) Invoices(ctx context.Context, f InvoiceFilter) ([]Invoice, error) {
	q := s.billingList(ctx, f.After, f.Limit, f.Statuses,
		idFilter{"tenant_id", f.TenantID}, idFilter{"customer_id", f.CustomerID}, idFilter{"subscription_id", f.SubscriptionID})
	return findReadable[Invoice](s.conn, q)
}

// idFilter keeps rows whose column equals id; a nil id keeps every row.
type idFilter struct {
	column string
	id     *uuid.UUID
}

// billingList starts a page of a billing list: ordered by ID, after the
// cursor, with the filters the lists share.
func (s *Billing) billingList(ctx context.Context, after uuid.UUID, limit int, statuses []string, ids ...idFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	for _, f := range ids {
		if f.id != nil {
			q = q.Where(f.column+" = ?", *f.id)
		}
	}
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return q
}

// upsertNewer inserts row, or overwrites the stored row with the same ID,
// all but id, created_at and read-only columns, when row's version is
// newer. It reports whether
// the row changed. One statement, so concurrent writers cannot interleave
// between the version check and the write.
func upsertNewer(db *gorm.DB, row any) (bool, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(row); err != nil {
		return false, err
	}
	columns := make([]string, 0, len(stmt.Schema.DBNames))
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" && f.DBName != "id" && f.DBName != "created_at" && f.Creatable && f.Updatable {
			columns = append(columns, f.DBName)
		}
	}
	res := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(columns),
		Where: clause.Where{Exprs: []clause.Expression{
			clause.Expr{SQL: stmt.Schema.Table + ".version < excluded.version"},
		}},
	}).Create(row)
	if err := translate(res.Error); err != nil {
		return false, err
	}
	return res.RowsAffected > 0, nil
}
