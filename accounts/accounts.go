package accounts

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

// NewAccount is an account to create.
type NewAccount struct {
	Login       string
	Password    string
	Email       string
	DisplayName string
	Birthdate   json.RawMessage // "YYYY-MM-DD", or null or nil for none
	Role        string          // customer (the default), business or admin
	TenantID    *uuid.UUID      // a customer's business; admins name it
}

// Create makes an account. An admin creates anyone: a customer of the
// business it names, or a business or admin of no tenant. Anybody else
// creates customers of its own only.
func (s *Service) Create(ctx context.Context, a Actor, n NewAccount) (Account, error) {
	client, role, err := s.newClient(a, n)
	if err != nil {
		return Account{}, err
	}
	if err := s.Store.CreateClient(ctx, client, role); err != nil {
		return Account{}, err
	}
	s.record(ctx, a, auditCreate, client, map[string]any{"role": role})
	return Account{Client: client, Roles: []string{role}}, nil
}

func (s *Service) newClient(a Actor, n NewAccount) (*models.Client, string, error) {
	for _, err := range []error{validLogin(n.Login), validPassword(n.Password), validEmail(n.Email), validDisplayName(n.DisplayName)} {
		if err != nil {
			return nil, "", err
		}
	}
	role := cmp.Or(n.Role, levelNames[models.LevelCustomer])
	level, known := LevelNamed(role)
	if !known {
		return nil, "", fault.Invalid("role", "role must be customer, business or admin", n.Role)
	}
	tenant, err := a.tenantFor(level, n.TenantID)
	if err != nil {
		return nil, "", err
	}
	hash, err := s.Hasher.Hash(n.Password)
	if err != nil {
		return nil, "", err
	}
	client := &models.Client{TenantID: tenant, Login: n.Login, PasswordHash: hash, Email: n.Email, DisplayName: n.DisplayName}
	if n.Birthdate != nil {
		if client.Birthdate, err = parseBirthdate(n.Birthdate, s.clock()); err != nil {
			return nil, "", err
		}
	}
	return client, role, nil
}

// tenantFor is the tenant of an account of level that a creates, naming
// tenant: only customers belong to one, and only admins choose which.
func (a Actor) tenantFor(level int, tenant *uuid.UUID) (*uuid.UUID, error) {
	switch {
	case !a.IsAdmin() && (level > models.LevelCustomer || tenant != nil):
		return nil, auth.ErrPermissionDenied
	case !a.IsAdmin():
		return &a.ID, nil
	case level == models.LevelCustomer && tenant == nil:
		return nil, fault.Invalid("tenantId", "a customer belongs to a business: give tenantId", nil)
	case level > models.LevelCustomer && tenant != nil:
		return nil, fault.Invalid("tenantId", "only customers belong to a tenant", tenant.String())
	}
	return tenant, nil
}

// Get reads an account a sees.
func (s *Service) Get(ctx context.Context, a Actor, id uuid.UUID) (Account, error) {
	client, err := s.visible(ctx, a, id)
	if err != nil {
		return Account{}, err
	}
	return s.withRoles(ctx, client)
}

func (s *Service) withRoles(ctx context.Context, client *models.Client) (Account, error) {
	roles, err := s.Store.RolesOf(ctx, []uuid.UUID{client.ID})
	if err != nil {
		return Account{}, err
	}
	return Account{Client: client, Roles: roles[client.ID]}, nil
}

// List pages through the accounts a sees, in creation order; f's tenant is
// a's own unless a is an admin.
func (s *Service) List(ctx context.Context, a Actor, f models.ClientFilter) ([]Account, error) {
	a.narrow(&f)
	clients, err := s.Store.ListClients(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(clients))
	for i := range clients {
		ids[i] = clients[i].ID
	}
	roles, err := s.Store.RolesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(clients))
	for i := range clients {
		out[i] = Account{Client: &clients[i], Roles: roles[clients[i].ID]}
	}
	return out, nil
}

// Update changes an account a sees. Disabling it revokes its sessions and
// keys (Store.UpdateClient), so that enabling it again brings none back.
func (s *Service) Update(ctx context.Context, a Actor, id uuid.UUID, c Changes) (Account, error) {
	client, err := s.visible(ctx, a, id)
	if err != nil {
		return Account{}, err
	}
	now := s.clock()
	ch, err := c.changes(now)
	if err != nil {
		return Account{}, err
	}
	updated, err := s.Store.UpdateClient(ctx, client.ID, ch, now)
	if err != nil {
		return Account{}, err
	}
	switch {
	case updated.Disabled && !client.Disabled:
		s.record(ctx, a, auditDisable, client, nil)
	case !updated.Disabled && client.Disabled:
		s.record(ctx, a, auditEnable, client, nil)
	}
	if ch.Email != nil || ch.DisplayName != nil || ch.Birthdate != nil {
		s.record(ctx, a, auditUpdate, client, nil)
	}
	return s.withRoles(ctx, updated)
}

// UpdateProfile changes a's own account.
func (s *Service) UpdateProfile(ctx context.Context, a Actor, p Profile) (*models.Client, error) {
	now := s.clock()
	ch, err := p.changes(now)
	if err != nil {
		return nil, err
	}
	return s.Store.UpdateClient(ctx, a.ID, ch, now)
}

// Delete removes an account a sees, other than a's own.
func (s *Service) Delete(ctx context.Context, a Actor, id uuid.UUID) error {
	client, err := s.visible(ctx, a, id)
	if err != nil {
		return err
	}
	if client.ID == a.ID {
		return &fault.ConflictError{Code: "CONFLICT", Message: "you cannot delete your own account here"}
	}
	if err := s.Store.DeleteClient(ctx, client.ID); err != nil {
		return err
	}
	s.record(ctx, a, auditDelete, client, map[string]any{"login": client.Login})
	return nil
}

// SetRoles replaces an account's roles; admins only. The change applies
// from the account's very next request.
func (s *Service) SetRoles(ctx context.Context, a Actor, id uuid.UUID, roles []string) (Account, error) {
	client, err := s.administered(ctx, a, id)
	if err != nil {
		return Account{}, err
	}
	if len(roles) == 0 {
		return Account{}, fault.Invalid("roles", "give at least one role", nil)
	}
	before, err := s.Store.RolesOf(ctx, []uuid.UUID{client.ID})
	if err != nil {
		return Account{}, err
	}
	names := slices.Compact(slices.Sorted(slices.Values(roles)))
	if err := s.Store.SetRoles(ctx, client.ID, names); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			err = fault.Invalid("roles", "unknown role", roles)
		}
		return Account{}, err
	}
	s.record(ctx, a, auditRoles, client, map[string]any{"from": before[client.ID], "to": names})
	return s.withRoles(ctx, client)
}

// SetPassword gives an account a new password and revokes every one of its
// sessions; admins only.
func (s *Service) SetPassword(ctx context.Context, a Actor, id uuid.UUID, password string) error {
	client, err := s.administered(ctx, a, id)
	if err != nil {
		return err
	}
	if err := validPassword(password); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return err
	}
	now := s.clock()
	if err := s.Store.SetPassword(ctx, client.ID, hash, now); err != nil {
		return err
	}
	if _, err := s.Sessions.RevokeClientSessions(ctx, client.ID, uuid.Nil, now); err != nil {
		return err
	}
	s.record(ctx, a, auditPassword, client, nil)
	return nil
}

// SessionsOf lists an account's live sessions; admins only.
func (s *Service) SessionsOf(ctx context.Context, a Actor, id uuid.UUID) ([]models.Session, error) {
	client, err := s.administered(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.Sessions.ClientSessions(ctx, client.ID, s.clock())
}

// RevokeSessions revokes every session of an account and says how many
// there were; admins only.
func (s *Service) RevokeSessions(ctx context.Context, a Actor, id uuid.UUID) (int64, error) {
	client, err := s.administered(ctx, a, id)
	if err != nil {
		return 0, err
	}
	n, err := s.Sessions.RevokeClientSessions(ctx, client.ID, uuid.Nil, s.clock())
	if err != nil {
		return 0, err
	}
	s.record(ctx, a, auditSessions, client, map[string]any{"count": n})
	return n, nil
}

// RevokeSession revokes one session of an account; admins only.
func (s *Service) RevokeSession(ctx context.Context, a Actor, id, sessionID uuid.UUID) error {
	client, err := s.administered(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.Sessions.RevokeSession(ctx, client.ID, sessionID, s.clock()); err != nil {
		return err
	}
	s.record(ctx, a, auditSessions, client, map[string]any{"sessionId": sessionID})
	return nil
}

// administered loads an account for an admin-only operation.
func (s *Service) administered(ctx context.Context, a Actor, id uuid.UUID) (*models.Client, error) {
	if err := a.mustBeAdmin(); err != nil {
		return nil, err
	}
	return s.visible(ctx, a, id)
}

// AuditEvents pages through the part of the trail a reads.
func (s *Service) AuditEvents(ctx context.Context, a Actor, f models.AuditFilter) ([]models.AuditEvent, error) {
	a.narrowTrail(&f)
	return s.Trail.AuditEvents(ctx, f)
}
