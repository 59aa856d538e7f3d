// Package tenancy is who may see and sell what: an admin everything, a
// business its own tenant, a customer itself. Requests carry a Caller,
// built once from the authenticated principal, and the domain services ask
// it instead of checking levels and tenants themselves.
package tenancy

import (
	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

// Caller is the account a request acts for, as far as tenancy goes.
type Caller struct {
	ID       uuid.UUID  // the account's
	TenantID *uuid.UUID // a customer's business; nil for a business or an admin
	Level    int        // models.LevelCustomer, LevelBusiness or LevelAdmin
}

// IsAdmin reports whether the caller sees every tenant.
func (c Caller) IsAdmin() bool { return c.Level >= models.LevelAdmin }

// IsCustomer reports whether the caller is a customer of a tenant.
func (c Caller) IsCustomer() bool { return c.TenantID != nil }

// Scope is the part of the billing data the caller may see.
func (c Caller) Scope() Scope {
	switch {
	case c.IsAdmin():
		return Scope{}
	case c.IsCustomer():
		return Scope{Customer: &c.ID}
	default:
		return Scope{Tenant: &c.ID}
	}
}

// TenantFor is the tenant an object the caller creates belongs to: a
// customer's or a business's own, or for an admin the tenant it names.
// Only an admin may name one.
func (c Caller) TenantFor(named *uuid.UUID) (uuid.UUID, error) {
	switch {
	case !c.IsAdmin() && named != nil:
		return uuid.Nil, fault.Denied("tenantId")
	case c.IsCustomer():
		return *c.TenantID, nil
	case c.IsAdmin() && named == nil:
		return uuid.Nil, fault.Invalid("tenantId", "an admin names the tenant: tenantId", nil)
	case c.IsAdmin():
		return *named, nil
	default:
		return c.ID, nil
	}
}

// Scope narrows billing data to a tenant, a customer, both or neither
// (nil is any).
type Scope struct {
	Tenant, Customer *uuid.UUID
}

// Everything reports whether the scope is an admin's.
func (s Scope) Everything() bool { return s == Scope{} }

// Allows reports whether an object of tenant, for customer, is in the
// scope.
func (s Scope) Allows(tenant, customer uuid.UUID) bool {
	return (s.Tenant == nil || *s.Tenant == tenant) && (s.Customer == nil || *s.Customer == customer)
}
