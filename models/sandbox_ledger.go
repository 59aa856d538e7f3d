package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
)

// SandboxLedger keeps the sandbox gateway's ledger in the database, so that
// every worker process sees the same charges.
type SandboxLedger struct{ store *Store }

var _ sandbox.Ledger = SandboxLedger{}

// SandboxLedger returns the store's sandbox ledger.
func (s *Store) SandboxLedger() SandboxLedger { return SandboxLedger{store: s} }

type sandboxCharge struct {
	Key         string `gorm:"primaryKey"`
	Reference   string
	CustomerID  string
	Token       string
	Amount      int64
	Currency    string
	Description string
	Status      string
	DeclineCode string
	CreatedAt   time.Time
	ResolvedAt  *time.Time
	VoidKey     string
	// RefundKey is NULL until the charge is refunded: the column is unique.
	RefundKey       *string
	RefundReference string
	RefundedAt      *time.Time
}

func (sandboxCharge) TableName() string { return "sandbox_charges" }

func (r sandboxCharge) charge() sandbox.Charge {
	c := sandbox.Charge{Key: r.Key, Reference: r.Reference, CustomerID: r.CustomerID, Token: r.Token,
		Amount: billing.Money{Amount: r.Amount, Currency: billing.Currency(r.Currency)}, Description: r.Description,
		Status: gateways.Status(r.Status), DeclineCode: r.DeclineCode, CreatedAt: r.CreatedAt.UTC(),
		VoidKey: r.VoidKey, RefundReference: r.RefundReference}
	if r.ResolvedAt != nil {
		c.ResolvedAt = r.ResolvedAt.UTC()
	}
	if r.RefundKey != nil {
		c.RefundKey = *r.RefundKey
	}
	if r.RefundedAt != nil {
		c.RefundedAt = r.RefundedAt.UTC()
	}
	return c
}

// Record stores c unless its key is taken; the first write wins.
func (l SandboxLedger) Record(ctx context.Context, c sandbox.Charge) (sandbox.Charge, bool, error) {
	row := sandboxCharge{Key: c.Key, Reference: c.Reference, CustomerID: c.CustomerID, Token: c.Token, Amount: c.Amount.Amount,
		Currency: string(c.Amount.Currency), Description: c.Description, Status: string(c.Status), DeclineCode: c.DeclineCode, CreatedAt: c.CreatedAt}
	res := l.store.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row)
	if err := translate(res.Error); err != nil {
		return sandbox.Charge{}, false, fmt.Errorf("record sandbox charge: %w", err)
	}
	var stored sandboxCharge
	if err := translate(l.store.db.WithContext(ctx).Take(&stored, "key = ?", c.Key).Error); err != nil {
		return sandbox.Charge{}, false, fmt.Errorf("read sandbox charge: %w", err)
	}
	return stored.charge(), res.RowsAffected == 1, nil
}

// SucceededWithToken counts a customer's succeeded charges with token.
func (l SandboxLedger) SucceededWithToken(ctx context.Context, customerID, token string) (int, error) {
	var n int64
	err := l.store.db.WithContext(ctx).Model(&sandboxCharge{}).
		Where("customer_id = ? AND token = ? AND status = ?", customerID, token, string(gateways.Succeeded)).Count(&n).Error
	return int(n), translate(err)
}

// Attempt counts one more call with key, atomically.
func (l SandboxLedger) Attempt(ctx context.Context, key string) (int, error) {
	var count int
	err := l.store.db.WithContext(ctx).Raw(
		"INSERT INTO sandbox_attempts (key, count) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET count = sandbox_attempts.count + 1 RETURNING count",
		key).Scan(&count).Error
	return count, translate(err)
}

// Charges lists every charge, oldest first.
func (l SandboxLedger) Charges(ctx context.Context) ([]sandbox.Charge, error) {
	var rows []sandboxCharge
	if err := translate(l.store.db.WithContext(ctx).Order("created_at, key").Find(&rows).Error); err != nil {
		return nil, err
	}
	out := make([]sandbox.Charge, len(rows))
	for i, r := range rows {
		out[i] = r.charge()
	}
	return out, nil
}

// ByReference finds a charge by the sandbox's reference.
func (l SandboxLedger) ByReference(ctx context.Context, reference string) (sandbox.Charge, error) {
	return l.take(ctx, "reference = ?", reference)
}

// ByKey finds a charge by its idempotency key.
func (l SandboxLedger) ByKey(ctx context.Context, key string) (sandbox.Charge, error) {
	return l.take(ctx, "key = ?", key)
}

func (l SandboxLedger) take(ctx context.Context, where string, arg string) (sandbox.Charge, error) {
	var row sandboxCharge
	err := translate(l.store.db.WithContext(ctx).Take(&row, where, arg).Error)
	if errors.Is(err, ErrNotFound) {
		return sandbox.Charge{}, sandbox.ErrUnknownReference
	}
	return row.charge(), err
}

// Resolve decides a pending charge, once.
func (l SandboxLedger) Resolve(ctx context.Context, reference string, status gateways.Status, declineCode string, at time.Time) (sandbox.Charge, error) {
	res := l.store.db.WithContext(ctx).Model(&sandboxCharge{}).
		Where("reference = ? AND status = ?", reference, string(gateways.Pending)).
		Updates(map[string]any{"status": string(status), "decline_code": declineCode, "resolved_at": at})
	if err := translate(res.Error); err != nil {
		return sandbox.Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err != nil {
		return sandbox.Charge{}, err
	}
	if res.RowsAffected == 0 {
		return sandbox.Charge{}, fmt.Errorf("%s: %w", reference, sandbox.ErrAlreadyDecided)
	}
	return c, nil
}

// Void cancels a pending charge; a voided one stays as it is.
func (l SandboxLedger) Void(ctx context.Context, reference, key string, at time.Time) (sandbox.Charge, error) {
	err := l.store.db.WithContext(ctx).Model(&sandboxCharge{}).
		Where("reference = ? AND status = ?", reference, string(gateways.Pending)).
		Updates(map[string]any{"status": string(gateways.Voided), "void_key": key, "resolved_at": at}).Error
	if err := translate(err); err != nil {
		return sandbox.Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err == nil && c.Status != gateways.Voided {
		return c, fmt.Errorf("%w: %q is %s", sandbox.ErrAlreadyDecided, reference, c.Status)
	}
	return c, err
}

// Refund records the refund of a succeeded charge, once.
func (l SandboxLedger) Refund(ctx context.Context, reference, key, refundReference string, at time.Time) (sandbox.Charge, error) {
	err := translate(l.store.db.WithContext(ctx).Model(&sandboxCharge{}).
		Where("reference = ? AND status = ? AND refund_key IS NULL", reference, string(gateways.Succeeded)).
		Updates(map[string]any{"refund_key": key, "refund_reference": refundReference, "refunded_at": at}).Error)
	if errors.Is(err, ErrConflict) {
		return sandbox.Charge{}, sandbox.RefundKeyConflict(key, l.refundedUnder(ctx, key))
	}
	if err != nil {
		return sandbox.Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err != nil {
		return sandbox.Charge{}, err
	}
	return c, sandbox.Refundable(c, key)
}

// refundedUnder is the reference of the charge refunded under key, for an
// error message: empty when it cannot be read.
func (l SandboxLedger) refundedUnder(ctx context.Context, key string) string {
	c, _ := l.take(ctx, "refund_key = ?", key)
	return c.Reference
}
