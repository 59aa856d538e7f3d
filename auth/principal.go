package auth

import (
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/auth/policy"
)

// Principal is who a request acts for, and what its roles allow. Every
// scheme produces one: a session (cookie, session secret or its JWT) sets
// Session, an API key (or its JWT) APIKey, a Signature SigningKey; Basic
// sets none.
type Principal struct {
	Account *Account
	Roles   []string
	Level   int      // LevelCustomer, LevelBusiness or LevelAdmin; -1 without roles
	Session *Session // the session presented, if any
	APIKey  *APIKey  // the API key presented, if any
	// SigningKey is the key of the HTTP Signature presented, if any.
	SigningKey *SigningKey
	IP         string // where this request came from
	// PolicyNames are the policies in effect: the roles' policies, or
	// those an API key narrows them to.
	PolicyNames []string
	// Payloads are the payload templates compiled for this principal: at
	// login for a session, in the token for a JWT, at load for the rest.
	Payloads *payloadcheck.Set
	// Listening names its roles in listen mode, whose accepted payloads
	// are observed.
	Listening []string
	policies  *policy.Set
	granted   []Policy // all the client's policies, for compiling payloads
	contexts  []string // the payload contexts of its roles, by role name
	signing   *openedSigningKey
	version   IdentityVersion // its client's, read before it was loaded
}

// SessionID is the presented session's ID, or uuid.Nil without one.
func (p *Principal) SessionID() uuid.UUID {
	if p.Session == nil {
		return uuid.Nil
	}
	return p.Session.ID
}

// Can reports whether the principal's policies allow an action on its own
// tenant's resources.
func (p *Principal) Can(action string) bool {
	return p.policies.Allowed(action, p.Resource())
}

// TenantID is the principal's tenant: a customer's business, a business
// itself; false for an admin without one.
func (p *Principal) TenantID() (uuid.UUID, bool) {
	switch {
	case p.Account.TenantID != nil:
		return *p.Account.TenantID, true
	case p.Level == LevelBusiness:
		return p.Account.ID, true
	}
	return uuid.Nil, false
}

// Resource names the principal's tenant for policy resources:
// "tenant/<id>" for a customer or a business (its own tenant), "platform"
// for an admin without one.
func (p *Principal) Resource() string {
	if tenant, ok := p.TenantID(); ok {
		return "tenant/" + tenant.String()
	}
	return "platform"
}

// copy returns a principal callers may change freely: its session and key
// are copied too.
func (p *Principal) copy() *Principal {
	cp := *p
	if p.Session != nil {
		sess := *p.Session
		cp.Session = &sess
	}
	if p.APIKey != nil {
		key := *p.APIKey
		cp.APIKey = &key
	}
	if p.SigningKey != nil {
		key := *p.SigningKey
		cp.SigningKey = &key
	}
	return &cp
}

// actsByKey reports whether the principal presented an API or signing key.
func (p *Principal) actsByKey() bool { return p.APIKey != nil || p.SigningKey != nil }
