package auth

import (
	"time"

	"github.com/google/uuid"
)

// The levels a client's roles grant it (Principal.Level), as the store
// keeps them.
const (
	LevelCustomer = 0
	LevelBusiness = 1
	LevelAdmin    = 2
)

// Account is an account as the identity core knows it: what a login and a
// principal check (its tenant, password hash, whether it is disabled, its
// payload context), and the profile and login statistics its holder sees
// of itself through its principal.
type Account struct {
	ID                 uuid.UUID
	TenantID           *uuid.UUID // a customer's business; nil for a business or an admin
	Login              string
	Email, DisplayName string
	Birthdate          *time.Time
	Disabled           bool
	PasswordHash       string
	FailedLogins       int
	LastLoginAt        *time.Time
	LastLoginIP        string
	LastFailedLoginAt  *time.Time
	// PayloadContext holds values its payload templates' variables read,
	// as a JSON object; "" is none.
	PayloadContext       string
	CreatedAt, UpdatedAt time.Time
}

// tenant is the tenant the account's audit events belong to: a customer's
// business, or a business (or an admin) itself.
func (a *Account) tenant() *uuid.UUID {
	if a.TenantID != nil {
		return a.TenantID
	}
	return &a.ID
}
