package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Sentinel errors the API maps to answers in one place.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Client is an account: an admin or business (TenantID nil) or a
// business's customer (TenantID = the business's client ID).
type Client struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	TenantID          *uuid.UUID
	Login             string
	Email             string
	DisplayName       string
	Birthdate         *time.Time
	Disabled          bool
	PasswordHash      string
	FailedLogins      int
	LockedUntil       *time.Time
	LastLoginAt       *time.Time
	LastLoginIP       string `gorm:"column:last_login_ip"`
	LastFailedLoginAt *time.Time
	PasswordChangedAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// CreateClient inserts c with the named roles. A login already taken in
// the tenant is ErrConflict.
func (s *Store) CreateClient(ctx context.Context, c *Client, roles ...string) error {
	if c.ID == uuid.Nil {
		c.ID = uuid.New()
	}
	return s.WithTx(ctx, func(tx *Store) error {
		if err := translate(tx.db.WithContext(ctx).Create(c).Error); err != nil {
			return fmt.Errorf("create client %s: %w", c.Login, err)
		}
		for _, name := range roles {
			if err := tx.grantRole(ctx, c.ID, name); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClientByLogin finds a login in a tenant (nil: platform accounts).
func (s *Store) ClientByLogin(ctx context.Context, tenantID *uuid.UUID, login string) (*Client, error) {
	q := s.db.WithContext(ctx).Where("login = ?", login)
	if tenantID == nil {
		q = q.Where("tenant_id IS NULL")
	} else {
		q = q.Where("tenant_id = ?", *tenantID)
	}
	var c Client
	if err := translate(q.Take(&c).Error); err != nil {
		return nil, fmt.Errorf("client %s: %w", login, err)
	}
	return &c, nil
}

// ClientByID finds a client.
func (s *Store) ClientByID(ctx context.Context, id uuid.UUID) (*Client, error) {
	var c Client
	if err := translate(s.db.WithContext(ctx).Take(&c, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("client %s: %w", id, err)
	}
	return &c, nil
}

// ReserveLoginAttempt counts an attempt against c before its password is
// checked, so parallel attempts cannot slip past the limit: each one takes
// a slot with a compare-and-swap on failed_logins. The attempt that reaches
// the limit locks the account until lockUntil(attempt); a locked account
// reserves nothing and the caller refuses with its LockedUntil.
// It returns the row as the reservation left it.
func (s *Store) ReserveLoginAttempt(ctx context.Context, id uuid.UUID, now time.Time, limit int, lockFor func(attempt int) time.Duration) (*Client, bool, error) {
	for {
		c, err := s.ClientByID(ctx, id)
		if err != nil {
			return nil, false, err
		}
		if c.LockedUntil != nil && c.LockedUntil.After(now) {
			return c, false, nil
		}
		attempt := c.FailedLogins + 1
		var lockedUntil *time.Time
		if attempt >= limit {
			until := now.Add(lockFor(attempt - limit))
			lockedUntil = &until
		}
		res := s.db.WithContext(ctx).Model(&Client{}).
			Where("id = ? AND failed_logins = ?", id, c.FailedLogins).
			Updates(map[string]any{"failed_logins": attempt, "locked_until": lockedUntil, "last_failed_login_at": now})
		if res.Error != nil {
			return nil, false, translate(res.Error)
		}
		if res.RowsAffected == 1 {
			c.FailedLogins, c.LockedUntil, c.LastFailedLoginAt = attempt, lockedUntil, &now
			return c, true, nil
		}
	}
}

// RecordLoginSuccess clears the attempt count and stamps the login.
func (s *Store) RecordLoginSuccess(ctx context.Context, id uuid.UUID, now time.Time, ip, rehashed string) error {
	updates := map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now, "last_login_ip": ip}
	if rehashed != "" {
		updates["password_hash"] = rehashed
	}
	return translate(s.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Updates(updates).Error)
}

// translate maps GORM's errors to the store's sentinels, and connection
// failures to ErrUnavailable.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return ErrConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isConnectionError(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	default:
		return err
	}
}

// SetDisabled disables or re-enables a client; a disabled client's
// sessions stop working at once.
func (s *Store) SetDisabled(ctx context.Context, id uuid.UUID, disabled bool) error {
	res := s.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Update("disabled", disabled)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("client %s: %w", id, ErrNotFound)
	}
	return nil
}

// SetPassword stores a new password hash and clears the lockout.
func (s *Store) SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Updates(map[string]any{
		"password_hash": hash, "password_changed_at": now, "failed_logins": 0, "locked_until": nil,
	})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("client %s: %w", id, ErrNotFound)
	}
	return nil
}
