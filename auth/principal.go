package auth

import (
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/models"
)

// Principal is who a request acts for, and what its roles allow. Every
// scheme produces one: a session (cookie, session secret or its JWT) sets
// Session, an API key (or its JWT) APIKey, a Signature SigningKey; Basic
// sets none.
type Principal struct {
	Client  *models.Client
	Roles   []string
	Level   int
	Session *models.Session // the session presented, if any
	APIKey  *models.APIKey  // the API key presented, if any
	// SigningKey is the key of the HTTP Signature presented, if any.
	SigningKey *models.SigningKey
	IP         string // where this request came from
	// PolicyNames are the policies in effect: the roles' policies, or
	// those an API key narrows them to.
	PolicyNames []string
	policies    *policy.Set
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

// Resource names the principal's tenant for policy resources:
// "tenant/<id>" for a customer or a business (its own tenant), "platform"
// for an admin without one.
func (p *Principal) Resource() string {
	switch {
	case p.Client.TenantID != nil:
		return "tenant/" + p.Client.TenantID.String()
	case p.Level == models.LevelBusiness:
		return "tenant/" + p.Client.ID.String()
	default:
		return "platform"
	}
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
