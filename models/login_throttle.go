package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// LoginThrottle counts the failed logins of one account from one source.
// ID and Account are hashes (see LoginSource), so the table holds no login
// or address in plain text; rows exist for logins that match no account too.
type LoginThrottle struct {
	ID          string `gorm:"primaryKey"`
	Account     string
	Failures    int
	LockedUntil *time.Time
	UpdatedAt   time.Time
}

// LoginSource is who tries a password: an account, named by its login and
// tenant, and the address trying it.
type LoginSource struct {
	Login string
	// Tenant is the tenant's ID, "" for platform accounts, or the name a
	// caller gave when no business has it.
	Tenant string
	IP     string
}

// SourceOf is the source of an attempt on c's password from ip.
func SourceOf(c *Client, ip string) LoginSource {
	src := LoginSource{Login: c.Login, IP: ip}
	if c.TenantID != nil {
		src.Tenant = c.TenantID.String()
	}
	return src
}

// account hashes the login and tenant; id adds the address. Logins and
// tenants hold no control characters, so NUL separates them unambiguously.
func (src LoginSource) account() string { return hashOf(src.Login + "\x00" + src.Tenant) }
func (src LoginSource) id() string      { return hashOf(src.Login + "\x00" + src.Tenant + "\x00" + src.IP) }

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ReserveLoginAttempt counts an attempt from src before its password is
// checked, so parallel attempts cannot slip past the caller's lockout
// rule: each one takes a slot with a compare-and-swap on failures.
// lockedUntil is that rule: given the attempt's number since src's last
// success, until when it locks src out, or nil. A source locked out
// reserves nothing and the caller refuses with the returned row's
// LockedUntil.
func (s *Sessions) ReserveLoginAttempt(ctx context.Context, src LoginSource, now time.Time, lockedUntil func(attempt int) *time.Time) (*LoginThrottle, bool, error) {
	id := src.id()
	for {
		var t LoginThrottle
		err := translate(s.db.WithContext(ctx).Take(&t, "id = ?", id).Error)
		stored := err == nil
		switch {
		case errors.Is(err, ErrNotFound):
			t = LoginThrottle{ID: id, Account: src.account()}
		case err != nil:
			return nil, false, err
		case t.LockedUntil != nil && t.LockedUntil.After(now):
			return &t, false, nil
		}
		attempt := t.Failures + 1
		until := lockedUntil(attempt)
		taken, err := s.takeAttempt(ctx, &t, stored, attempt, until, now)
		if err != nil {
			return nil, false, err
		}
		if taken {
			t.Failures, t.LockedUntil, t.UpdatedAt = attempt, until, now
			return &t, true, nil
		}
	}
}

// takeAttempt moves t from the failures it was read with to attempt,
// inserting it unless stored; false when another attempt got there first.
func (s *Sessions) takeAttempt(ctx context.Context, t *LoginThrottle, stored bool, attempt int, lockedUntil *time.Time, now time.Time) (bool, error) {
	if !stored {
		row := LoginThrottle{ID: t.ID, Account: t.Account, Failures: attempt, LockedUntil: lockedUntil, UpdatedAt: now}
		err := translate(s.db.WithContext(ctx).Create(&row).Error)
		if errors.Is(err, ErrConflict) {
			return false, nil
		}
		return err == nil, err
	}
	res := s.db.WithContext(ctx).Model(&LoginThrottle{}).
		Where("id = ? AND failures = ?", t.ID, t.Failures).
		Updates(map[string]any{"failures": attempt, "locked_until": lockedUntil, "updated_at": now})
	return res.RowsAffected == 1, translate(res.Error)
}

// RecordLoginFailure counts a wrong password in the client's statistics.
func (s *Sessions) RecordLoginFailure(ctx context.Context, id uuid.UUID, now time.Time) error {
	return changeIdentity(ctx, s.conn, id, func(tx *Sessions) error {
		return translate(tx.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).
			Updates(map[string]any{"failed_logins": gorm.Expr("failed_logins + 1"), "last_failed_login_at": now}).Error)
	})
}

// RecordLoginSuccess clears the attempts from src, resets the client's
// failure count and stamps the login. Other sources keep their counts: one
// success proves nothing about them.
func (s *Sessions) RecordLoginSuccess(ctx context.Context, id uuid.UUID, src LoginSource, now time.Time, rehashed string) error {
	updates := map[string]any{"failed_logins": 0, "last_login_at": now, "last_login_ip": src.IP}
	if rehashed != "" {
		updates["password_hash"] = rehashed
	}
	return changeIdentity(ctx, s.conn, id, func(tx *Sessions) error {
		if err := translate(tx.db.WithContext(ctx).Delete(&LoginThrottle{}, "id = ?", src.id()).Error); err != nil {
			return err
		}
		return translate(tx.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Updates(updates).Error)
	})
}

// clearLoginThrottles forgets the attempts on c from every source.
func clearLoginThrottles(ctx context.Context, db *gorm.DB, c *Client) error {
	return translate(db.WithContext(ctx).Delete(&LoginThrottle{}, "account = ?", SourceOf(c, "").account()).Error)
}

// PurgeLoginThrottles deletes the counts last touched before cutoff whose
// lock, if any, ended before it too, and the budgets of addresses
// (LoginIPThrottle) full again since before cutoff. It returns how many
// rows it deleted in all.
func (s *Sessions) PurgeLoginThrottles(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("updated_at < ? AND (locked_until IS NULL OR locked_until < ?)", cutoff, cutoff).Delete(&LoginThrottle{})
	if err := translate(res.Error); err != nil {
		return 0, err
	}
	ips := s.db.WithContext(ctx).Where("full_at < ?", cutoff.UnixMicro()).Delete(&LoginIPThrottle{})
	return res.RowsAffected + ips.RowsAffected, translate(ips.Error)
}
