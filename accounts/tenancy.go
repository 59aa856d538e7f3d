package accounts

import (
	"context"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// The levels' names, which are also the built-in roles' names: index is level.
var levelNames = []string{models.LevelCustomer: "customer", models.LevelBusiness: "business", models.LevelAdmin: "admin"}

// LevelNamed is the level a name (customer, business or admin) stands for.
func LevelNamed(name string) (level int, ok bool) {
	for level, n := range levelNames {
		if n == name {
			return level, true
		}
	}
	return 0, false
}

// LevelName names a level.
func LevelName(level int) string { return levelNames[level] }

// sees is the tenancy rule: an admin sees every account, a business its
// own customers, and nobody any other (not even itself: its own account
// is its profile).
func (a Actor) sees(c *models.Client) bool {
	return a.IsAdmin() || (c.TenantID != nil && *c.TenantID == a.ID)
}

// narrow applies sees to a listing.
func (a Actor) narrow(f *models.ClientFilter) {
	if !a.IsAdmin() {
		f.TenantID = &a.ID
		f.Platform = false
	}
}

// narrowTrail is who reads which events: an admin every one, a business
// its own tenant's, a customer its own account's.
func (a Actor) narrowTrail(f *models.AuditFilter) {
	switch {
	case a.IsAdmin():
	case a.TenantID != nil:
		f.TenantID, f.SubjectID = a.TenantID, &a.ID
	default:
		f.TenantID = &a.ID
	}
}

// mustBeAdmin refuses anyone below admin: only admins grant roles, set
// another account's password or manage its sessions.
func (a Actor) mustBeAdmin() error {
	if !a.IsAdmin() {
		return auth.ErrPermissionDenied
	}
	return nil
}

// visible loads an account a sees. Any other is models.ErrNotFound,
// never revealing that it exists.
func (s *Service) visible(ctx context.Context, a Actor, id uuid.UUID) (*models.Client, error) {
	c, err := s.Store.ClientByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.sees(c) {
		return nil, models.ErrNotFound
	}
	return c, nil
}
