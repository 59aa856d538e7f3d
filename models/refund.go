package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// Refund is money returned of a paid payment.
type Refund struct {
	ID               uuid.UUID `gorm:"primaryKey"`
	TenantID         uuid.UUID
	CustomerID       uuid.UUID
	PaymentID        uuid.UUID
	InvoiceID        uuid.UUID
	Amount           int64
	Currency         string
	Reason           string
	Status           string // one of contract.RefundStatuses
	FailureReason    string
	GatewayReference string
	// Origin is where the refund was made: RefundOriginAPI or
	// RefundOriginGateway.
	Origin    string `gorm:"default:api"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Where a refund was made.
const (
	// RefundOriginAPI: asked of billgate (POST /v1/refunds), which asked
	// the gateway.
	RefundOriginAPI = "api"
	// RefundOriginGateway: made at the gateway (in its dashboard, say) and
	// recorded by the reconciliation.
	RefundOriginGateway = "gateway"
)

// Input is what the refund's workflow takes: the refund of p's charge.
func (r *Refund) Input(p *Payment) contract.RefundInput {
	return contract.RefundInput{RefundID: r.ID, PaymentID: p.ID, Gateway: p.Gateway, ChargeReference: p.PaidBy(),
		Amount: billing.Money{Amount: r.Amount, Currency: billing.Currency(r.Currency)}, Whole: r.Amount == p.Amount}
}

// CreditNote credits an invoice with a succeeded refund.
type CreditNote struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	TenantID   uuid.UUID
	CustomerID uuid.UUID
	InvoiceID  uuid.UUID
	RefundID   uuid.UUID
	Amount     int64
	Currency   string
	Reason     string
	CreatedAt  time.Time
}

// ErrOverRefund is what CreateRefund answers when the refund would return
// more than is left of what was paid.
var ErrOverRefund = errors.New("more than is left to refund")

// notFailed is the refunds that return, or will, money.
var notFailed = []string{string(contract.RefundPending), string(contract.RefundSucceeded)}

// CreateRefund stores a pending refund of its payment, which must be paid
// in the refund's currency and keep at least r.Amount unrefunded by the
// refunds not failed (ErrOverRefund otherwise). The payment's row is
// locked meanwhile, so refunds at once never return more than was paid.
// A refund already stored under r.ID is returned as it is (created false)
// when it is the same refund, and is ErrConflict when it is not.
func (s *Billing) CreateRefund(ctx context.Context, r *Refund) (created bool, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		var existing Refund
		switch err := translate(q.Take(&existing, "id = ?", r.ID).Error); {
		case err == nil:
			if existing.PaymentID != r.PaymentID || existing.Amount != r.Amount || existing.Reason != r.Reason {
				return fmt.Errorf("refund %s: %w", r.ID, ErrConflict)
			}
			*r = existing
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		p, err := lockPayment(ctx, tx, r.PaymentID)
		if err != nil {
			return err
		}
		refunded, err := refundedOf(q, r.PaymentID, notFailed)
		if err != nil {
			return err
		}
		if p.Status != string(contract.PaymentPaid) || p.Currency != r.Currency || r.Amount > p.Amount-refunded {
			return fmt.Errorf("refund of %d %s of payment %s (%s, %d paid, %d refunded): %w", r.Amount, r.Currency, p.ID, p.Status, p.Amount, refunded, ErrOverRefund)
		}
		r.TenantID, r.CustomerID, r.InvoiceID, r.Status = p.TenantID, p.CustomerID, p.InvoiceID, string(contract.RefundPending)
		created = true
		if err := translate(q.Create(r).Error); err != nil {
			return err
		}
		return recordRefundChanges(q, "", r)
	})
	return created, err
}

// lockPayment reads a payment in tx with its row locked until tx ends, so
// that refunds of it at once are counted one after the other (SQLite's
// transactions are one at a time already).
func lockPayment(ctx context.Context, tx *conn, id uuid.UUID) (*Payment, error) {
	q := tx.db.WithContext(ctx)
	if tx.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var p Payment
	if err := translate(q.Take(&p, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("payment %s: %w", id, err)
	}
	return &p, nil
}

// refundedOf sums the refunds of a payment in the statuses given.
func refundedOf(db *gorm.DB, paymentID uuid.UUID, statuses []string) (int64, error) {
	var sum int64
	err := db.Model(&Refund{}).Select("COALESCE(SUM(amount), 0)").Where("payment_id = ? AND status IN ?", paymentID, statuses).Scan(&sum).Error
	return sum, translate(err)
}

// SettleRefund ends a pending refund in st: a success credits its invoice
// with a credit note in the same transaction. A refund no longer pending
// is left as it is (settled false).
func (s *Billing) SettleRefund(ctx context.Context, id uuid.UUID, st contract.RefundState) (settled bool, err error) {
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		res := q.Model(&Refund{}).Where("id = ? AND status = ?", id, contract.RefundPending).Updates(map[string]any{
			"status": string(st.Status), "gateway_reference": st.GatewayReference, "failure_reason": st.FailureReason, "updated_at": st.SettledAt,
		})
		if err := translate(res.Error); err != nil || res.RowsAffected == 0 {
			return err
		}
		settled = true
		var r Refund
		if err := translate(q.Take(&r, "id = ?", id).Error); err != nil {
			return err
		}
		if st.Status == contract.RefundSucceeded {
			if err := credit(q, &r, st.SettledAt); err != nil {
				return err
			}
		}
		return recordRefundChanges(q, string(contract.RefundPending), &r)
	})
	return settled, err
}

// recordRefundChanges records the events of r's change from the status
// was ("" when r is new).
func recordRefundChanges(db *gorm.DB, was string, r *Refund) error {
	return recordChanges(db, subject{ObjectRefund, r.ID, r.TenantID, r.CustomerID, r.UpdatedAt}, &Refund{}, refundChanges(was, r))
}

// credit writes a succeeded refund's credit note, and counts the refund on
// its payment and invoice.
func credit(q *gorm.DB, r *Refund, at time.Time) error {
	note := CreditNote{ID: contract.DerivedID(at, r.ID, 0), TenantID: r.TenantID, CustomerID: r.CustomerID, InvoiceID: r.InvoiceID,
		RefundID: r.ID, Amount: r.Amount, Currency: r.Currency, Reason: r.Reason, CreatedAt: at}
	if err := translate(q.Create(&note).Error); err != nil {
		return err
	}
	// By table, not model: the models' columns are read-only.
	if err := q.Table("payments").Where("id = ?", r.PaymentID).Update("amount_refunded", gorm.Expr("amount_refunded + ?", r.Amount)).Error; err != nil {
		return translate(err)
	}
	return translate(q.Table("invoices").Where("id = ?", r.InvoiceID).Update("amount_credited", gorm.Expr("amount_credited + ?", r.Amount)).Error)
}

// GatewayRefund is a refund a gateway made of a payment's charge outside
// billgate, in its dashboard say.
type GatewayRefund struct {
	PaymentID uuid.UUID
	// Gateway is the route the payment must be collected through.
	Gateway string
	// Reference is the gateway's ID for the refund.
	Reference string
	Amount    billing.Money
	At        time.Time
}

// GatewayRefundID is the ID a refund the gateway made is recorded under:
// one per payment and gateway reference, so it is recorded once.
func GatewayRefundID(paymentID uuid.UUID, reference string) uuid.UUID {
	return uuid.NewSHA1(paymentID, []byte("gateway-refund/"+reference))
}

// RecordGatewayRefund records a refund the gateway made as a succeeded
// refund of origin RefundOriginGateway, with its credit note, under the
// payment's row lock. The payment must be paid in the refund's currency
// through g.Gateway, and keep at least its amount unrefunded by its
// succeeded refunds (ErrOverRefund otherwise: the gateway and billgate
// disagree, for a person to look at). One recorded already is returned as
// it is (recorded false).
func (s *Billing) RecordGatewayRefund(ctx context.Context, g GatewayRefund) (r *Refund, recorded bool, err error) {
	r = &Refund{ID: GatewayRefundID(g.PaymentID, g.Reference)}
	err = s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx)
		switch err := translate(q.Take(r, "id = ?", r.ID).Error); {
		case err == nil:
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		p, err := lockPayment(ctx, tx, g.PaymentID)
		if err != nil {
			return err
		}
		refunded, err := refundedOf(q, p.ID, []string{string(contract.RefundSucceeded)})
		if err != nil {
			return err
		}
		if p.Status != string(contract.PaymentPaid) || p.Gateway != g.Gateway || p.Currency != string(g.Amount.Currency) || g.Amount.Amount > p.Amount-refunded {
			return fmt.Errorf("gateway refund %s of %s of payment %s (%s through %s, %d paid, %d refunded): %w",
				g.Reference, g.Amount, p.ID, p.Status, p.Gateway, p.Amount, refunded, ErrOverRefund)
		}
		*r = Refund{ID: r.ID, TenantID: p.TenantID, CustomerID: p.CustomerID, PaymentID: p.ID, InvoiceID: p.InvoiceID,
			Amount: g.Amount.Amount, Currency: p.Currency, Status: string(contract.RefundSucceeded), GatewayReference: g.Reference,
			Origin: RefundOriginGateway, CreatedAt: g.At, UpdatedAt: g.At}
		if err := translate(q.Create(r).Error); err != nil {
			return err
		}
		recorded = true
		if err := credit(q, r, g.At); err != nil {
			return err
		}
		return recordRefundChanges(q, "", r)
	})
	return r, recorded, err
}

// NotePendingRefund keeps the gateway's reference of a refund it left
// pending, so that it can be looked up later.
func (s *Billing) NotePendingRefund(ctx context.Context, id uuid.UUID, reference string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&Refund{}).Where("id = ? AND status = ?", id, contract.RefundPending).
		Updates(map[string]any{"gateway_reference": reference, "updated_at": at})
	return translate(res.Error)
}

// RefundByID finds a refund.
func (s *Billing) RefundByID(ctx context.Context, id uuid.UUID) (*Refund, error) {
	var r Refund
	if err := translate(s.db.WithContext(ctx).Take(&r, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("refund %s: %w", id, err)
	}
	return &r, nil
}

// RefundFilter narrows a list of refunds; nil is any.
type RefundFilter struct {
	TenantID, CustomerID, PaymentID *uuid.UUID
	Statuses                        []string
	After                           uuid.UUID
	Limit                           int
}

// Refunds pages through refunds in ID order.
func (s *Billing) Refunds(ctx context.Context, f RefundFilter) ([]Refund, error) {
	q := s.db.WithContext(ctx).Model(&Refund{}).Order("id").Limit(f.Limit)
	for column, id := range map[string]*uuid.UUID{"tenant_id": f.TenantID, "customer_id": f.CustomerID, "payment_id": f.PaymentID} {
		if id != nil {
			q = q.Where(column+" = ?", *id)
		}
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	return findReadable[Refund](s.conn, q)
}

// Refundable is what is left to refund of a payment: what was paid less
// its refunds not failed.
func (s *Billing) Refundable(ctx context.Context, p *Payment) (int64, error) {
	refunded, err := refundedOf(s.db.WithContext(ctx), p.ID, notFailed)
	return p.Amount - refunded, err
}

// CreditNotes lists an invoice's credit notes, oldest first.
func (s *Billing) CreditNotes(ctx context.Context, invoiceID uuid.UUID) ([]CreditNote, error) {
	var out []CreditNote
	return out, translate(s.db.WithContext(ctx).Where("invoice_id = ?", invoiceID).Order("id").Find(&out).Error)
}

// MarkDisputed notes that gateway (a payment's route) reported the payment
// disputed at at; the first report stands. A payment collected through
// another gateway is left alone: one gateway account cannot mark another's
// payments.
func (s *Billing) MarkDisputed(ctx context.Context, paymentID uuid.UUID, gateway string, at time.Time) error {
	// By table, not model: the model's column is read-only.
	res := s.db.WithContext(ctx).Table("payments").Where("id = ? AND gateway = ? AND disputed_at IS NULL", paymentID, gateway).Update("disputed_at", at)
	return translate(res.Error)
}
