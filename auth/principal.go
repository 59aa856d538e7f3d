package auth

import (
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/models"
)

// Principal is who a request acts for, and what its roles allow. Every
// scheme produces one: a session (cookie, session secret or JWT) sets
// Session; Basic sets neither Session nor Key.
type Principal struct {
	Client   *models.Client
	Roles    []string
	Level    int
	Session  *models.Session // the session presented, if any
	IP       string          // where this request came from
	policies *policy.Set
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

// copy returns a principal callers may change freely: its session is
// copied too.
func (p *Principal) copy() *Principal {
	cp := *p
	if p.Session != nil {
		sess := *p.Session
		cp.Session = &sess
	}
	return &cp
}
