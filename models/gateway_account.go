package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/billgate/billgate/workflows/contract"
)

// GatewayAccounts keeps the businesses' connected gateway accounts.
type GatewayAccounts struct{ *conn }

// GatewayAccount is a business's own account at a real gateway. Settings
// are its credentials shown as given, a JSON object; SealedSecrets are the
// others, a JSON object sealed under the master keys.
type GatewayAccount struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	TenantID      uuid.UUID
	Gateway       string
	Mode          string
	Name          string
	Currencies    string // comma-separated ISO codes; empty takes any
	Settings      string
	SealedSecrets string
	SecretNames   string // comma-separated, the names of the sealed credentials
	// LastAnsweredAt and LastFailedAt are the last times the gateway
	// answered a call through the account, or failed to (LastError).
	LastAnsweredAt *time.Time
	LastFailedAt   *time.Time
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// The health of an account: whether the gateway answered the last call
// billgate made through it.
const (
	HealthUnknown   = "unknown" // no call yet
	HealthAnswering = "answering"
	HealthFailing   = "failing"
)

// Health is whether the gateway answered the last call through a.
func (a *GatewayAccount) Health() string {
	switch {
	case a.LastFailedAt != nil && (a.LastAnsweredAt == nil || a.LastFailedAt.After(*a.LastAnsweredAt)):
		return HealthFailing
	case a.LastAnsweredAt != nil:
		return HealthAnswering
	}
	return HealthUnknown
}

// healthSQL is Health in SQL, for counting.
const healthSQL = `CASE WHEN last_failed_at IS NOT NULL AND (last_answered_at IS NULL OR last_failed_at > last_answered_at) THEN '` + HealthFailing +
	`' WHEN last_answered_at IS NOT NULL THEN '` + HealthAnswering + `' ELSE '` + HealthUnknown + `' END`

// GatewayHealth counts the accounts of each gateway by health:
// gateway → health → count.
func (s *GatewayAccounts) GatewayHealth(ctx context.Context) (map[string]map[string]int, error) {
	var rows []struct {
		Gateway, Health string
		N               int
	}
	err := s.db.WithContext(ctx).Model(&GatewayAccount{}).Select("gateway, " + healthSQL + " AS health, count(*) AS n").
		Group("gateway, health").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[string]map[string]int{}
	for _, r := range rows {
		if out[r.Gateway] == nil {
			out[r.Gateway] = map[string]int{}
		}
		out[r.Gateway][r.Health] = r.N
	}
	return out, nil
}

// CreateGatewayAccount stores a new account under a.ID, which the caller
// chose: its secrets are sealed for that ID.
func (s *GatewayAccounts) CreateGatewayAccount(ctx context.Context, a *GatewayAccount) error {
	if err := translate(s.db.WithContext(ctx).Create(a).Error); err != nil {
		return fmt.Errorf("create gateway account: %w", err)
	}
	return nil
}

// GatewayAccountByID finds an account.
func (s *GatewayAccounts) GatewayAccountByID(ctx context.Context, id uuid.UUID) (*GatewayAccount, error) {
	var a GatewayAccount
	if err := translate(s.db.WithContext(ctx).Take(&a, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("gateway account %s: %w", id, err)
	}
	return &a, nil
}

// GatewayAccountList pages through a tenant's accounts (every tenant's
// with a nil tenant), oldest first.
func (s *GatewayAccounts) GatewayAccountList(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]GatewayAccount, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(limit)
	if tenant != nil {
		q = q.Where("tenant_id = ?", *tenant)
	}
	if after != uuid.Nil {
		q = q.Where("id > ?", after)
	}
	return findReadable[GatewayAccount](s.conn, q)
}

// GatewayAccountsAt lists a tenant's accounts at one gateway, oldest
// first, at most limit.
func (s *GatewayAccounts) GatewayAccountsAt(ctx context.Context, tenant uuid.UUID, gateway string, limit int) ([]GatewayAccount, error) {
	q := s.db.WithContext(ctx).Where("tenant_id = ? AND gateway = ?", tenant, gateway).Order("id").Limit(limit)
	return findReadable[GatewayAccount](s.conn, q)
}

// GatewayAccountChanges are what an update replaces; nil leaves a value.
type GatewayAccountChanges struct {
	Name          *string
	Currencies    *string
	Settings      *string
	SealedSecrets *string
	SecretNames   *string
}

// UpdateGatewayAccount replaces what ch sets, if the account was last
// updated at read (a compare-and-set: two rotations at once would each
// write back the other's old secrets); another update since is
// ErrConflict.
func (s *GatewayAccounts) UpdateGatewayAccount(ctx context.Context, id uuid.UUID, ch GatewayAccountChanges, read, now time.Time) error {
	set := map[string]any{"updated_at": now}
	for column, v := range map[string]*string{"name": ch.Name, "currencies": ch.Currencies, "settings": ch.Settings, "sealed_secrets": ch.SealedSecrets, "secret_names": ch.SecretNames} {
		if v != nil {
			set[column] = *v
		}
	}
	res := s.db.WithContext(ctx).Table("gateway_accounts").Where("id = ? AND updated_at = ?", id, read).Updates(set)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("update gateway account %s: %w", id, err)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := s.GatewayAccountByID(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("gateway account %s changed since it was read: %w", id, ErrConflict)
}

// DeleteGatewayAccount removes an account. One a saved payment method
// still names is ErrInUse.
func (s *GatewayAccounts) DeleteGatewayAccount(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&GatewayAccount{}, "id = ?", id)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("delete gateway account %s: %w", id, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("gateway account %s: %w", id, ErrNotFound)
	}
	return nil
}

// RouteInUse reports whether money still moves through the gateway route
// of a connected account: a subscription not ended, a payment open, or a
// refund pending.
func (s *GatewayAccounts) RouteInUse(ctx context.Context, route string) (bool, error) {
	db := s.db.WithContext(ctx)
	var n int64
	for _, q := range []*gorm.DB{
		db.Model(&Subscription{}).Where("gateway = ? AND ended_at IS NULL", route),
		db.Model(&Payment{}).Where("gateway = ? AND status IN ?", route, []contract.PaymentStatus{contract.PaymentPending, contract.PaymentRetrying}),
		db.Model(&Refund{}).Where("status = ? AND payment_id IN (?)", contract.RefundPending, db.Model(&Payment{}).Select("id").Where("gateway = ?", route)),
	} {
		if err := q.Count(&n).Error; err != nil || n > 0 {
			return n > 0, translate(err)
		}
	}
	return false, nil
}

// RecordGatewayAnswer notes whether the gateway answered a call through
// the account at at: an answer clears the last error. An older report
// than the one kept does not overwrite it.
func (s *GatewayAccounts) RecordGatewayAnswer(ctx context.Context, id uuid.UUID, at time.Time, failure string) error {
	// By table, not model: a note is no change of the account, and GORM
	// would stamp the model's updated_at, by which connections are kept.
	q := s.db.WithContext(ctx).Table("gateway_accounts").Where("id = ?", id)
	if failure == "" {
		q = q.Where("last_answered_at IS NULL OR last_answered_at < ?", at).
			Updates(map[string]any{"last_answered_at": at, "last_error": ""})
	} else {
		q = q.Where("last_failed_at IS NULL OR last_failed_at < ?", at).
			Updates(map[string]any{"last_failed_at": at, "last_error": failure})
	}
	return translate(q.Error)
}
