package auth

import (
	"github.com/billgate/billgate/auth/policy"
	"github.com/billgate/billgate/models"
)

// Principal is who a request acts for, and what its roles allow.
type Principal struct {
	Client   *models.Client
	Roles    []string
	Level    int
	Session  *models.Session // the session presented
	policies *policy.Set
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
