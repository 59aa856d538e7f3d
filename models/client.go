package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Sentinel errors the API maps to answers in one place.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrInUse refuses deleting a row that others still refer to.
	ErrInUse = errors.New("still in use")
)

// Accounts keeps the accounts (clients) and which roles each holds.
type Accounts struct{ *conn }

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
	FailedLogins      int // wrong passwords since the last login, from any source; LoginThrottle locks
	LastLoginAt       *time.Time
	LastLoginIP       string `gorm:"column:last_login_ip"`
	LastFailedLoginAt *time.Time
	PasswordChangedAt *time.Time
	// PayloadContext holds values its payload templates' variables read,
	// as a JSON object; "" is none.
	PayloadContext string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CreateClient inserts c with the named roles. A login already taken in
// the tenant is ErrConflict.
func (s *Accounts) CreateClient(ctx context.Context, c *Client, roles ...string) error {
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	return inTx(ctx, s.conn, func(tx *Accounts) error {
		if err := translate(tx.db.WithContext(ctx).Create(c).Error); err != nil {
			return fmt.Errorf("create client %s: %w", c.Login, err)
		}
		for _, name := range roles {
			if err := tx.grantRole(ctx, c.ID, name); err != nil {
				return err
			}
		}
		return recordCustomerChange(tx.db.WithContext(ctx), c.ID, change{typ: EventCustomerCreated}, c.CreatedAt)
	})
}

// ClientByLogin finds a login in a tenant (nil: platform accounts).
func (s *Accounts) ClientByLogin(ctx context.Context, tenantID *uuid.UUID, login string) (*Client, error) {
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
func (s *Accounts) ClientByID(ctx context.Context, id uuid.UUID) (*Client, error) {
	var c Client
	if err := translate(s.db.WithContext(ctx).Take(&c, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("client %s: %w", id, err)
	}
	return &c, nil
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
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return ErrInUse
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isConnectionError(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	default:
		return err
	}
}

// SetDisabled disables or re-enables a client; a disabled client's
// sessions stop working at once, and its credentials are revoked.
func (s *Accounts) SetDisabled(ctx context.Context, id uuid.UUID, disabled bool) error {
	_, err := s.UpdateClient(ctx, id, ClientChanges{Disabled: &disabled}, s.db.NowFunc())
	return err
}

// revokeCredentials revokes a client's sessions, API keys and signing
// keys, so that none of them works again if the client is re-enabled.
func (s *Accounts) revokeCredentials(ctx context.Context, id uuid.UUID, now time.Time) error {
	for _, model := range []any{&Session{}, &APIKey{}, &SigningKey{}} {
		err := s.db.WithContext(ctx).Model(model).Where("client_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error
		if err := translate(err); err != nil {
			return err
		}
	}
	return nil
}

// SetPassword stores a new password hash and clears the lockouts of every
// source.
func (s *Accounts) SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error {
	return changeIdentity(ctx, s.conn, id, func(tx *Accounts) error {
		c, err := tx.ClientByID(ctx, id)
		if err != nil {
			return err
		}
		if err := clearLoginThrottles(ctx, tx.db, c); err != nil {
			return err
		}
		err = tx.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Updates(map[string]any{
			"password_hash": hash, "password_changed_at": now, "failed_logins": 0,
		}).Error
		if err != nil {
			return translate(err)
		}
		return recordCustomerChange(tx.db.WithContext(ctx), id, change{EventCustomerPasswordChanged, unixKey(&now)}, now)
	})
}

// ClientFilter narrows ListClients. Zero fields do not filter.
type ClientFilter struct {
	TenantID *uuid.UUID // only this tenant's customers
	Platform bool       // only platform accounts (no tenant)
	Role     string     // only clients holding this role
	Disabled *bool
	Login    string    // only logins starting with this
	After    uuid.UUID // the cursor: the last ID of the previous page
	Limit    int
}

// ListClients pages through clients in ID order. IDs are UUIDv7, so that
// is creation order.
func (s *Accounts) ListClients(ctx context.Context, f ClientFilter) ([]Client, error) {
	q := s.db.WithContext(ctx).Order("id").Limit(f.Limit)
	if f.TenantID != nil {
		q = q.Where("tenant_id = ?", *f.TenantID)
	}
	if f.Platform {
		q = q.Where("tenant_id IS NULL")
	}
	if f.Role != "" {
		q = q.Where("id IN (SELECT client_roles.client_id FROM client_roles JOIN roles ON roles.id = client_roles.role_id WHERE roles.name = ?)", f.Role)
	}
	if f.Disabled != nil {
		q = q.Where("disabled = ?", *f.Disabled)
	}
	if f.Login != "" {
		q = q.Where("login LIKE ? ESCAPE '\\'", escapeLike(f.Login)+"%")
	}
	if f.After != uuid.Nil {
		q = q.Where("id > ?", f.After)
	}
	var out []Client
	return out, translate(q.Find(&out).Error)
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// ClientChanges are the profile fields a PATCH may set; nil leaves a field.
type ClientChanges struct {
	Email          *string
	DisplayName    *string
	Birthdate      **time.Time // set to a nil *time.Time to clear
	Disabled       *bool
	PayloadContext *string
}

// UpdateClient applies changes and returns the client as stored.
// Disabling a client revokes its credentials in the same transaction.
func (s *Accounts) UpdateClient(ctx context.Context, id uuid.UUID, ch ClientChanges, now time.Time) (*Client, error) {
	updates := map[string]any{"updated_at": now}
	if ch.Email != nil {
		updates["email"] = *ch.Email
	}
	if ch.PayloadContext != nil {
		updates["payload_context"] = *ch.PayloadContext
	}
	if ch.DisplayName != nil {
		updates["display_name"] = *ch.DisplayName
	}
	if ch.Birthdate != nil {
		updates["birthdate"] = *ch.Birthdate
	}
	if ch.Disabled != nil {
		updates["disabled"] = *ch.Disabled
	}
	disabling := ch.Disabled != nil && *ch.Disabled
	err := changeIdentity(ctx, s.conn, id, func(tx *Accounts) error {
		wasDisabled := false
		if disabling {
			old, err := tx.ClientByID(ctx, id)
			if err != nil {
				return err
			}
			wasDisabled = old.Disabled
		}
		res := tx.db.WithContext(ctx).Model(&Client{}).Where("id = ?", id).Updates(updates)
		if err := translate(res.Error); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("client %s: %w", id, ErrNotFound)
		}
		if !disabling {
			return nil
		}
		if err := tx.revokeCredentials(ctx, id, now); err != nil || wasDisabled {
			return err
		}
		return recordCustomerChange(tx.db.WithContext(ctx), id, change{EventCustomerDisabled, unixKey(&now)}, now)
	})
	if err != nil {
		return nil, err
	}
	return s.ClientByID(ctx, id)
}

// DeleteClient removes a client and its sessions. A business that still has
// customers is ErrInUse.
func (s *Accounts) DeleteClient(ctx context.Context, id uuid.UUID) error {
	return changeIdentity(ctx, s.conn, id, func(tx *Accounts) error {
		res := tx.db.WithContext(ctx).Delete(&Client{}, "id = ?", id)
		if err := translate(res.Error); err != nil {
			return fmt.Errorf("delete client %s: %w", id, err)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("client %s: %w", id, ErrNotFound)
		}
		return nil
	})
}

// SetRoles replaces a client's roles.
func (s *Accounts) SetRoles(ctx context.Context, id uuid.UUID, roles []string) error {
	return changeIdentity(ctx, s.conn, id, func(tx *Accounts) error {
		if err := translate(tx.db.WithContext(ctx).Exec("DELETE FROM client_roles WHERE client_id = ?", id).Error); err != nil {
			return err
		}
		for _, name := range roles {
			if err := tx.grantRole(ctx, id, name); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Accounts) grantRole(ctx context.Context, clientID uuid.UUID, roleName string) error {
	res := s.db.WithContext(ctx).Exec(
		"INSERT INTO client_roles (client_id, role_id) SELECT ?, id FROM roles WHERE name = ?", clientID, roleName)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("grant %s to %s: %w", roleName, clientID, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("grant %s to %s: role %w", roleName, clientID, ErrNotFound)
	}
	return nil
}

// RolesOf reads the role names of several clients at once.
func (s *Accounts) RolesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error) {
	var rows []struct {
		ClientID uuid.UUID
		Name     string
	}
	out := map[uuid.UUID][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table("client_roles").
		Select("client_roles.client_id, roles.name").
		Joins("JOIN roles ON roles.id = client_roles.role_id").
		Where("client_roles.client_id IN ?", ids).
		Order("roles.name").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.ClientID] = append(out[r.ClientID], r.Name)
	}
	return out, nil
}

// CustomerIDs lists up to limit IDs of a tenant's customers, oldest first.
func (s *Accounts) CustomerIDs(ctx context.Context, tenantID uuid.UUID, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Model(&Client{}).Where("tenant_id = ?", tenantID).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, translate(err)
}
