package sandbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
)

// DatabaseLedger keeps the ledger in billgate's database, so that every
// worker process sees the same charges. Its errors are the models
// package's (a database that cannot be reached is models.ErrUnavailable),
// so the API answers them as it answers the Store's.
type DatabaseLedger struct{ db *gorm.DB }

var _ Ledger = DatabaseLedger{}

// NewDatabaseLedger returns the ledger kept in store's database, in the
// tables its migrations create (sandbox_charges and sandbox_attempts).
func NewDatabaseLedger(store *models.Store) DatabaseLedger { return DatabaseLedger{db: store.DB()} }

type chargeRow struct {
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

func (chargeRow) TableName() string { return "sandbox_charges" }

func (r chargeRow) charge() Charge {
	c := Charge{Key: r.Key, Reference: r.Reference, CustomerID: r.CustomerID, Token: r.Token,
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
func (l DatabaseLedger) Record(ctx context.Context, c Charge) (Charge, bool, error) {
	row := chargeRow{Key: c.Key, Reference: c.Reference, CustomerID: c.CustomerID, Token: c.Token, Amount: c.Amount.Amount,
		Currency: string(c.Amount.Currency), Description: c.Description, Status: string(c.Status), DeclineCode: c.DeclineCode, CreatedAt: c.CreatedAt}
	res := l.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row)
	if err := models.Translate(res.Error); err != nil {
		return Charge{}, false, fmt.Errorf("record sandbox charge: %w", err)
	}
	var stored chargeRow
	if err := models.Translate(l.db.WithContext(ctx).Take(&stored, "key = ?", c.Key).Error); err != nil {
		return Charge{}, false, fmt.Errorf("read sandbox charge: %w", err)
	}
	return stored.charge(), res.RowsAffected == 1, nil
}

// SucceededWithToken counts a customer's succeeded charges with token.
func (l DatabaseLedger) SucceededWithToken(ctx context.Context, customerID, token string) (int, error) {
	var n int64
	err := l.db.WithContext(ctx).Model(&chargeRow{}).
		Where("customer_id = ? AND token = ? AND status = ?", customerID, token, string(gateways.Succeeded)).Count(&n).Error
	return int(n), models.Translate(err)
}

// Attempt counts one more call with key, atomically.
func (l DatabaseLedger) Attempt(ctx context.Context, key string) (int, error) {
	var count int
	err := l.db.WithContext(ctx).Raw(
		"INSERT INTO sandbox_attempts (key, count) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET count = sandbox_attempts.count + 1 RETURNING count",
		key).Scan(&count).Error
	return count, models.Translate(err)
}

// Charges lists every charge, oldest first.
func (l DatabaseLedger) Charges(ctx context.Context) ([]Charge, error) {
	var rows []chargeRow
	if err := models.Translate(l.db.WithContext(ctx).Order("created_at, key").Find(&rows).Error); err != nil {
		return nil, err
	}
	out := make([]Charge, len(rows))
	for i, r := range rows {
		out[i] = r.charge()
	}
	return out, nil
}

// ByReference finds a charge by the sandbox's reference.
func (l DatabaseLedger) ByReference(ctx context.Context, reference string) (Charge, error) {
	return l.take(ctx, "reference = ?", reference)
}

// ByKey finds a charge by its idempotency key.
func (l DatabaseLedger) ByKey(ctx context.Context, key string) (Charge, error) {
	return l.take(ctx, "key = ?", key)
}

func (l DatabaseLedger) take(ctx context.Context, where string, arg string) (Charge, error) {
	var row chargeRow
	err := models.Translate(l.db.WithContext(ctx).Take(&row, where, arg).Error)
	if errors.Is(err, models.ErrNotFound) {
		return Charge{}, ErrUnknownReference
	}
	return row.charge(), err
}

// Resolve decides a pending charge, once.
func (l DatabaseLedger) Resolve(ctx context.Context, reference string, status gateways.Status, declineCode string, at time.Time) (Charge, error) {
	res := l.db.WithContext(ctx).Model(&chargeRow{}).
		Where("reference = ? AND status = ?", reference, string(gateways.Pending)).
		Updates(map[string]any{"status": string(status), "decline_code": declineCode, "resolved_at": at})
	if err := models.Translate(res.Error); err != nil {
		return Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err != nil {
		return Charge{}, err
	}
	if res.RowsAffected == 0 {
		return Charge{}, fmt.Errorf("%s: %w", reference, ErrAlreadyDecided)
	}
	return c, nil
}

// Void cancels a pending charge; a voided one stays as it is.
func (l DatabaseLedger) Void(ctx context.Context, reference, key string, at time.Time) (Charge, error) {
	err := l.db.WithContext(ctx).Model(&chargeRow{}).
		Where("reference = ? AND status = ?", reference, string(gateways.Pending)).
		Updates(map[string]any{"status": string(gateways.Voided), "void_key": key, "resolved_at": at}).Error
	if err := models.Translate(err); err != nil {
		return Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err == nil && c.Status != gateways.Voided {
		return c, fmt.Errorf("%w: %q is %s", ErrAlreadyDecided, reference, c.Status)
	}
	return c, err
}

// Refund records the refund of a succeeded charge, once.
func (l DatabaseLedger) Refund(ctx context.Context, reference, key, refundReference string, at time.Time) (Charge, error) {
	err := models.Translate(l.db.WithContext(ctx).Model(&chargeRow{}).
		Where("reference = ? AND status = ? AND refund_key IS NULL", reference, string(gateways.Succeeded)).
		Updates(map[string]any{"refund_key": key, "refund_reference": refundReference, "refunded_at": at}).Error)
	if errors.Is(err, models.ErrConflict) {
		return Charge{}, RefundKeyConflict(key, l.refundedUnder(ctx, key))
	}
	if err != nil {
		return Charge{}, err
	}
	c, err := l.ByReference(ctx, reference)
	if err != nil {
		return Charge{}, err
	}
	return c, Refundable(c, key)
}

// refundedUnder is the reference of the charge refunded under key, for an
// error message: empty when it cannot be read.
func (l DatabaseLedger) refundedUnder(ctx context.Context, key string) string {
	c, _ := l.take(ctx, "refund_key = ?", key)
	return c.Reference
}
