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

// RecordPayment writes a payment and its invoice. A scheduled payment has
// only its draft invoice in the database: the payment row appears when the
// invoice is opened. Versioned, so a retried or late write is harmless.
func (a *Activities) RecordPayment(ctx context.Context, r contract.PaymentRecord) error {
	return recordPayment(ctx, a.Store, r)
}

func recordPayment(ctx context.Context, store *models.Store, r contract.PaymentRecord) error {
	pay, inv, err := models.PaymentRows(r)
	if err != nil {
		return err
	}
	if _, err := store.ProjectPayment(ctx, pay, inv); err != nil {
		return fmt.Errorf("project payment %s: %w", r.PaymentID, err)
	}
	return nil
}

// PaymentProjection and ProjectPayment are RecordPayment's input and name
// in runs begun before recordPaymentState (workflows/payment.go), and
// PaymentProjection the invoices ProjectSubscription writes. Delete them
// with the old branches of that patch and of recordSubscriptionState, once
// no open run schedules ProjectPayment or ProjectSubscription
// (docs/versioning.md).

// Attempt is one charge of a payment, as PaymentProjection carries it.
type Attempt = contract.Attempt

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

// ProjectPayment is RecordPayment for a PaymentProjection.
func (a *Activities) ProjectPayment(ctx context.Context, p PaymentProjection) error {
	return recordPayment(ctx, a.Store, p.Record())
}

// Record is the record p writes.
func (p PaymentProjection) Record() contract.PaymentRecord {
	return contract.PaymentRecord{
		PaymentIdentity: contract.PaymentIdentity{
			PaymentID: p.PaymentID, InvoiceID: p.InvoiceID, TenantID: p.TenantID, CustomerID: p.CustomerID,
			SubscriptionID: p.SubscriptionID, PriceID: p.PriceID, PaymentMethodID: p.PaymentMethodID, Gateway: p.Gateway,
		},
		TestClockID: p.TestClockID, UpdatedAt: p.UpdatedAt,
		PaymentState: contract.PaymentState{
			Status: contract.PaymentStatus(p.Status), Amount: p.Amount, ApprovalURL: p.ApprovalURL, DeclineCode: p.DeclineCode,
			NextAttemptAt: p.NextAttemptAt, PaidAt: p.PaidAt, AttemptLog: p.Attempts,
			Invoice:   contract.InvoiceDraft{Lines: p.Lines, Credit: p.Credit, PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd},
			CreatedAt: p.CreatedAt, ClockTime: p.ClockTime, Version: p.Version,
		},
	}
}

// RecordSubscription writes a subscription, and with it the invoices it
// has just raised (version 0, as they stand before their payments run), so
// that the latestInvoiceId it shows is readable as soon as it is: their
// payments' own writes supersede them. Versioned, so a retried or late write
// is harmless.
func (a *Activities) RecordSubscription(ctx context.Context, r contract.SubscriptionRecord, raised []contract.PaymentRecord) error {
	return a.writeSubscription(ctx, models.SubscriptionRow(r), raised)
}

func (a *Activities) writeSubscription(ctx context.Context, sub *models.Subscription, raised []contract.PaymentRecord) error {
	return a.Store.WithTx(ctx, func(tx *models.Store) error {
		if _, err := tx.UpsertSubscription(ctx, sub); err != nil {
			return fmt.Errorf("project subscription %s: %w", sub.ID, err)
		}
		for _, inv := range raised {
			inv.Version = 0
			if err := tx.WithdrawRemints(ctx, inv.SubscriptionID, inv.InvoiceID, inv.UpdatedAt); err != nil {
				return fmt.Errorf("withdraw what a retried task raised first, for invoice %s: %w", inv.InvoiceID, err)
			}
			if err := recordPayment(ctx, tx, inv); err != nil {
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
	records := make([]contract.PaymentRecord, len(raised))
	for i, inv := range raised {
		records[i] = inv.Record()
	}
	return a.writeSubscription(ctx, models.SubscriptionRow(p.Record()), records)
}

// Record is p as the record RecordSubscription writes: the same row.
func (p SubscriptionProjection) Record() contract.SubscriptionRecord {
	return contract.SubscriptionRecord{
		SubscriptionID: p.ID, TenantID: p.TenantID, CustomerID: p.CustomerID,
		PaymentMethodID: p.PaymentMethodID, Gateway: p.Gateway, TestClockID: p.TestClockID, UpdatedAt: p.UpdatedAt,
		SubscriptionState: contract.SubscriptionState{
			Status: contract.SubscriptionStatus(p.Status), Plan: contract.Plan{PriceID: p.PriceID, Amount: p.Amount},
			Quantity: p.Quantity, CreatedAt: p.CreatedAt,
			CurrentPeriod: contract.Period{Start: p.CurrentPeriodStart, End: p.CurrentPeriodEnd},
			TrialEnd:      p.TrialEnd, CancelAtPeriodEnd: p.CancelAtPeriodEnd, CanceledAt: p.CanceledAt,
			PausedAt: p.PausedAt, EndedAt: p.EndedAt, LatestInvoiceID: p.LatestInvoiceID, ClockTime: p.ClockTime,
			Version: p.Version,
		},
	}
}
