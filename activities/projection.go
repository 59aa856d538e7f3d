package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// Attempt is one charge of a payment, as the payment workflow records it.
// It is the workflow's own type, not the database's: a change to the
// stored row must not change workflow state.
type Attempt struct {
	Number      int
	Status      string // succeeded, pending, declined, failed, voided, refunded
	Reference   string
	DeclineCode string
	At          time.Time
	// RefundReference is the gateway's refund of the charge, when Status
	// is refunded.
	RefundReference string
}

// storedAttempts are attempts as the payment's row keeps them.
func storedAttempts(attempts []Attempt) []models.PaymentAttempt {
	out := make([]models.PaymentAttempt, len(attempts))
	for i, a := range attempts {
		out[i] = models.PaymentAttempt(a)
	}
	return out
}

// PaymentProjection is a payment workflow's state for the database: the
// payment and its invoice. Zero IDs and times are absent values.
type PaymentProjection struct {
	Version         int64
	PaymentID       uuid.UUID
	InvoiceID       uuid.UUID
	TenantID        uuid.UUID
	CustomerID      uuid.UUID
	SubscriptionID  uuid.UUID
	PriceID         uuid.UUID
	PaymentMethodID uuid.UUID
	Gateway         string
	Status          string // a contract.PaymentStatus
	Amount          billing.Money
	Attempts        []Attempt
	ApprovalURL     string
	DeclineCode     string
	NextAttemptAt   time.Time
	PaidAt          time.Time
	Lines           []billing.Line
	Credit          billing.Money
	PeriodStart     time.Time
	PeriodEnd       time.Time
	TestClockID     uuid.UUID
	ClockTime       time.Time // the test clock time a purchase has caught up with
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// invoiceStatus is the invoice's status for a payment status.
var invoiceStatus = map[string]string{
	"scheduled": "draft",
	"pending":   "open",
	"retrying":  "open",
	"paid":      "paid",
	"expired":   "uncollectible",
	"failed":    "uncollectible",
	"canceled":  "void",
}

// ProjectPayment writes a payment and its invoice. A scheduled payment has
// only its draft invoice in the database: the payment row appears when the
// invoice is opened. Versioned, so a retried or late write is harmless.
func (a *Activities) ProjectPayment(ctx context.Context, p PaymentProjection) error {
	return p.write(ctx, a.Store)
}

func (p PaymentProjection) write(ctx context.Context, store *models.Store) error {
	total, err := billing.Total(p.Lines)
	if err != nil {
		return fmt.Errorf("payment %s: %w", p.PaymentID, err)
	}
	status, ok := invoiceStatus[p.Status]
	if !ok {
		return fmt.Errorf("payment %s: unknown status %q", p.PaymentID, p.Status)
	}
	inv := &models.Invoice{
		ID: p.InvoiceID, TenantID: p.TenantID, CustomerID: p.CustomerID,
		SubscriptionID: optionalID(p.SubscriptionID), PaymentID: &p.PaymentID,
		Status: status, Currency: string(p.Amount.Currency), Total: total.Amount,
		CreditApplied: p.Credit.Amount, AmountDue: p.Amount.Amount, Lines: p.Lines,
		PeriodStart: optionalTime(p.PeriodStart), PeriodEnd: optionalTime(p.PeriodEnd),
		PaidAt: optionalTime(p.PaidAt), Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	var pay *models.Payment
	if status != "draft" && !(status == "void" && len(p.Attempts) == 0) {
		pay = &models.Payment{
			ID: p.PaymentID, TenantID: p.TenantID, CustomerID: p.CustomerID, InvoiceID: p.InvoiceID,
			SubscriptionID: optionalID(p.SubscriptionID), PriceID: optionalID(p.PriceID),
			Amount: p.Amount.Amount, Currency: string(p.Amount.Currency), Gateway: p.Gateway,
			PaymentMethodID: optionalID(p.PaymentMethodID), Status: p.Status, Attempts: storedAttempts(p.Attempts),
			ApprovalURL: p.ApprovalURL, DeclineCode: p.DeclineCode, NextAttemptAt: optionalTime(p.NextAttemptAt),
			PaidAt: optionalTime(p.PaidAt), TestClockID: optionalID(p.TestClockID), ClockTime: optionalTime(p.ClockTime),
			Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		}
	}
	if _, err := store.ProjectPayment(ctx, pay, inv); err != nil {
		return fmt.Errorf("project payment %s: %w", p.PaymentID, err)
	}
	return nil
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

// RecordSubscription writes a subscription, and with it the invoices it
// has just raised (version 0, as they stand before their payments run), so
// that the latestInvoiceId it shows is readable as soon as it is: their
// payments' own writes supersede them. Versioned, so a retried or late write
// is harmless.
func (a *Activities) RecordSubscription(ctx context.Context, r contract.SubscriptionRecord, raised []PaymentProjection) error {
	return a.writeSubscription(ctx, models.SubscriptionRow(r), raised)
}

func (a *Activities) writeSubscription(ctx context.Context, sub *models.Subscription, raised []PaymentProjection) error {
	return a.Store.WithTx(ctx, func(tx *models.Store) error {
		if _, err := tx.UpsertSubscription(ctx, sub); err != nil {
			return fmt.Errorf("project subscription %s: %w", sub.ID, err)
		}
		for _, inv := range raised {
			inv.Version = 0
			if err := inv.write(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// SubscriptionProjection and ProjectSubscription are RecordSubscription's
// input and name in runs begun before recordSubscriptionState
// (workflows/subscription.go). Delete them with that patch's old branch,
// once no open run schedules ProjectSubscription (docs/versioning.md).

// SubscriptionProjection is a subscription workflow's state for the
// database. Zero IDs and times are absent values.
type SubscriptionProjection struct {
	Version            int64
	ID                 uuid.UUID
	TenantID           uuid.UUID
	CustomerID         uuid.UUID
	PriceID            uuid.UUID
	Quantity           int64
	Status             string // a contract.SubscriptionStatus
	Amount             billing.Money
	PaymentMethodID    uuid.UUID
	Gateway            string
	TestClockID        uuid.UUID
	CurrentPeriodStart time.Time
	CurrentPeriodEnd   time.Time
	TrialEnd           time.Time
	CancelAtPeriodEnd  bool
	CanceledAt         time.Time
	PausedAt           time.Time
	EndedAt            time.Time
	LatestInvoiceID    uuid.UUID
	ClockTime          time.Time // the test clock time it has caught up with
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// ProjectSubscription is RecordSubscription for a SubscriptionProjection.
func (a *Activities) ProjectSubscription(ctx context.Context, p SubscriptionProjection, raised []PaymentProjection) error {
	return a.writeSubscription(ctx, p.Row(), raised)
}

// Row is the row p writes.
func (p SubscriptionProjection) Row() *models.Subscription {
	return &models.Subscription{
		ID: p.ID, TenantID: p.TenantID, CustomerID: p.CustomerID, PriceID: p.PriceID, Quantity: p.Quantity,
		Status: p.Status, Currency: string(p.Amount.Currency), Amount: p.Amount.Amount,
		PaymentMethodID: optionalID(p.PaymentMethodID), Gateway: p.Gateway, TestClockID: optionalID(p.TestClockID),
		CurrentPeriodStart: optionalTime(p.CurrentPeriodStart), CurrentPeriodEnd: optionalTime(p.CurrentPeriodEnd),
		TrialEnd: optionalTime(p.TrialEnd), CancelAtPeriodEnd: p.CancelAtPeriodEnd,
		CanceledAt: optionalTime(p.CanceledAt), PausedAt: optionalTime(p.PausedAt), EndedAt: optionalTime(p.EndedAt),
		LatestInvoiceID: optionalID(p.LatestInvoiceID), ClockTime: optionalTime(p.ClockTime), Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}
