package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PaymentMethod is a customer's saved way to pay through one gateway.
type PaymentMethod struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	TenantID   uuid.UUID
	CustomerID uuid.UUID
	Gateway    string
	// GatewayAccountID is the business's connected account the method
	// belongs to; nil for a gateway of the process (the sandbox).
	GatewayAccountID *uuid.UUID
	Token            string
	CreatedAt        time.Time
}

// AddPaymentMethod stores a payment method.
func (s *Billing) AddPaymentMethod(ctx context.Context, pm *PaymentMethod) error {
	pm.ID = uuid.Must(uuid.NewV7())
	if err := translate(s.db.WithContext(ctx).Create(pm).Error); err != nil {
		return fmt.Errorf("add payment method: %w", err)
	}
	return nil
}

// KeepPaymentMethod stores pm unless its customer has a method of the same
// gateway, account and token already; pm is then that one. It is what a
// first payment that saved a method at the gateway calls, once or again.
func (s *Billing) KeepPaymentMethod(ctx context.Context, pm *PaymentMethod) error {
	return s.withTx(ctx, func(tx *conn) error {
		q := tx.db.WithContext(ctx).Where("customer_id = ? AND gateway = ? AND token = ?", pm.CustomerID, pm.Gateway, pm.Token)
		if pm.GatewayAccountID == nil {
			q = q.Where("gateway_account_id IS NULL")
		} else {
			q = q.Where("gateway_account_id = ?", *pm.GatewayAccountID)
		}
		var kept []PaymentMethod
		if err := translate(q.Order("id").Limit(1).Find(&kept).Error); err != nil {
			return err
		}
		if len(kept) > 0 {
			*pm = kept[0]
			return nil
		}
		return (&Billing{tx}).AddPaymentMethod(ctx, pm)
	})
}

// PaymentMethods lists a customer's payment methods, oldest first.
func (s *Billing) PaymentMethods(ctx context.Context, customerID uuid.UUID) ([]PaymentMethod, error) {
	var out []PaymentMethod
	return out, translate(s.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id").Find(&out).Error)
}

// PaymentMethodByID finds a payment method.
func (s *Billing) PaymentMethodByID(ctx context.Context, id uuid.UUID) (*PaymentMethod, error) {
	var pm PaymentMethod
	if err := translate(s.db.WithContext(ctx).Take(&pm, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("payment method %s: %w", id, err)
	}
	return &pm, nil
}

// DeletePaymentMethod removes one of a customer's payment methods.
func (s *Billing) DeletePaymentMethod(ctx context.Context, customerID, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&PaymentMethod{}, "id = ? AND customer_id = ?", id, customerID)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("payment method %s: %w", id, ErrNotFound)
	}
	return nil
}

// savedOrNone is id while that payment method is saved, else nil. A
// workflow keeps naming the method it was given after the method is
// deleted; its rows show the method as gone, as the delete's ON DELETE SET
// NULL left them, rather than fail on the foreign key at every write. A
// delete committed between this read and the write still fails the write,
// and the projection's retry reads the method gone.
func savedOrNone(db *gorm.DB, id *uuid.UUID) (*uuid.UUID, error) {
	if id == nil {
		return nil, nil
	}
	var n int64
	if err := db.Model(&PaymentMethod{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return nil, translate(err)
	}
	if n == 0 {
		return nil, nil
	}
	return id, nil
}
