package models

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Roles keeps the roles, their policies, and what they grant clients.
type Roles struct{ *conn }

// Levels of the built-in roles: only a higher level may act on a lower.
const (
	LevelCustomer = 0
	LevelBusiness = 1
	LevelAdmin    = 2
)

// Role names a set of policies and grants a level.
type Role struct {
	ID      uuid.UUID `gorm:"primaryKey"`
	Name    string
	Level   int
	Builtin bool
	Listen  bool // its members' accepted payloads are observed
	// PayloadContext holds values its members' payload templates'
	// variables read, as a JSON object; "" is none.
	PayloadContext string
	Description    string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Policy is a named list of statements, stored as JSON, with the payload
// templates it sets per action and their variables' static values.
type Policy struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	Name          string
	Description   string
	Statements    string
	Payloads      string // {"action": [template, …]}
	Substitutions string // {"variable": value}
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Grants is what a client's roles give it, read fresh for each request so
// that a lost role takes effect at once.
type Grants struct {
	Roles     []string
	Level     int      // the highest level among the roles; -1 without roles
	Policies  []Policy // every policy of every role, once each
	Listening []string // the roles in listen mode
	Contexts  []string // each role's payload context, in role-name order
}

// GrantsOf reads a client's roles and their policies.
func (s *Roles) GrantsOf(ctx context.Context, clientID uuid.UUID) (Grants, error) {
	var roles []Role
	err := s.db.WithContext(ctx).
		Joins("JOIN client_roles ON client_roles.role_id = roles.id").
		Where("client_roles.client_id = ?", clientID).
		Order("roles.name").Find(&roles).Error
	if err != nil {
		return Grants{}, fmt.Errorf("roles of %s: %w", clientID, translate(err))
	}
	g := Grants{Level: -1}
	roleIDs := make([]uuid.UUID, len(roles))
	for i, r := range roles {
		g.Roles = append(g.Roles, r.Name)
		if r.Listen {
			g.Listening = append(g.Listening, r.Name)
		}
		g.Contexts = append(g.Contexts, r.PayloadContext)
		g.Level = max(g.Level, r.Level)
		roleIDs[i] = r.ID
	}
	if len(roles) == 0 {
		return g, nil
	}
	err = s.db.WithContext(ctx).
		Where("id IN (SELECT policy_id FROM role_policies WHERE role_id IN ?)", roleIDs).
		Order("name").Find(&g.Policies).Error
	if err != nil {
		return Grants{}, fmt.Errorf("policies of %s: %w", clientID, translate(err))
	}
	return g, nil
}

// CreatePolicy stores a new policy; a taken name is ErrConflict.
func (s *Roles) CreatePolicy(ctx context.Context, p *Policy) error {
	if p.ID == uuid.Nil {
		p.ID = uuid.Must(uuid.NewV7())
	}
	p.Payloads, p.Substitutions = cmp.Or(p.Payloads, "{}"), cmp.Or(p.Substitutions, "{}")
	if err := translate(s.db.WithContext(ctx).Create(p).Error); err != nil {
		return fmt.Errorf("create policy %s: %w", p.Name, err)
	}
	return nil
}

// Policies lists every policy by name.
func (s *Roles) Policies(ctx context.Context) ([]Policy, error) {
	var out []Policy
	return out, translate(s.db.WithContext(ctx).Order("name").Find(&out).Error)
}

// PolicyByID finds a policy.
func (s *Roles) PolicyByID(ctx context.Context, id uuid.UUID) (*Policy, error) {
	var p Policy
	if err := translate(s.db.WithContext(ctx).Take(&p, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("policy %s: %w", id, err)
	}
	return &p, nil
}

// UpdatePolicy stores a policy's description and statements.
func (s *Roles) UpdatePolicy(ctx context.Context, p *Policy) error {
	return changeIdentity(ctx, s.conn, uuid.Nil, func(tx *Roles) error {
		res := tx.db.WithContext(ctx).Model(&Policy{}).Where("id = ?", p.ID).
			Updates(map[string]any{"description": p.Description, "statements": p.Statements, "payloads": p.Payloads,
				"substitutions": p.Substitutions, "updated_at": p.UpdatedAt})
		if err := translate(res.Error); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("policy %s: %w", p.ID, ErrNotFound)
		}
		return nil
	})
}

// DeletePolicy removes a policy no role uses; one in use is ErrInUse.
func (s *Roles) DeletePolicy(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&Policy{}, "id = ?", id)
	if err := translate(res.Error); err != nil {
		return fmt.Errorf("delete policy %s: %w", id, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("policy %s: %w", id, ErrNotFound)
	}
	return nil
}

// RoleWithPolicies is a role and the names of its policies.
type RoleWithPolicies struct {
	Role
	Policies []string
}

// CreateRole stores a role with the named policies; an unknown policy is
// ErrNotFound, a taken name ErrConflict.
func (s *Roles) CreateRole(ctx context.Context, r *Role, policies []string) error {
	if r.ID == uuid.Nil {
		r.ID = uuid.Must(uuid.NewV7())
	}
	return inTx(ctx, s.conn, func(tx *Roles) error {
		if err := translate(tx.db.WithContext(ctx).Create(r).Error); err != nil {
			return fmt.Errorf("create role %s: %w", r.Name, err)
		}
		return tx.setRolePolicies(ctx, r.ID, policies)
	})
}

// UpdateRole stores a role's description and, when policies is not nil,
// replaces its policies.
func (s *Roles) UpdateRole(ctx context.Context, r *Role, policies []string) error {
	return changeIdentity(ctx, s.conn, uuid.Nil, func(tx *Roles) error {
		res := tx.db.WithContext(ctx).Model(&Role{}).Where("id = ?", r.ID).
			Updates(map[string]any{"description": r.Description, "listen": r.Listen, "payload_context": r.PayloadContext, "updated_at": r.UpdatedAt})
		if err := translate(res.Error); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("role %s: %w", r.ID, ErrNotFound)
		}
		if policies == nil {
			return nil
		}
		if err := translate(tx.db.WithContext(ctx).Exec("DELETE FROM role_policies WHERE role_id = ?", r.ID).Error); err != nil {
			return err
		}
		return tx.setRolePolicies(ctx, r.ID, policies)
	})
}

func (s *Roles) setRolePolicies(ctx context.Context, roleID uuid.UUID, policies []string) error {
	for _, name := range policies {
		res := s.db.WithContext(ctx).Exec(
			"INSERT INTO role_policies (role_id, policy_id) SELECT ?, id FROM policies WHERE name = ?", roleID, name)
		if err := translate(res.Error); err != nil {
			return fmt.Errorf("attach policy %s: %w", name, err)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("policy %s: %w", name, ErrNotFound)
		}
	}
	return nil
}

// Roles lists every role with its policies, by name.
func (s *Roles) Roles(ctx context.Context) ([]RoleWithPolicies, error) {
	var roles []Role
	if err := s.db.WithContext(ctx).Order("name").Find(&roles).Error; err != nil {
		return nil, translate(err)
	}
	return s.withPolicies(ctx, roles)
}

// RoleByID finds a role with its policies.
func (s *Roles) RoleByID(ctx context.Context, id uuid.UUID) (*RoleWithPolicies, error) {
	var r Role
	if err := translate(s.db.WithContext(ctx).Take(&r, "id = ?", id).Error); err != nil {
		return nil, fmt.Errorf("role %s: %w", id, err)
	}
	out, err := s.withPolicies(ctx, []Role{r})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

func (s *Roles) withPolicies(ctx context.Context, roles []Role) ([]RoleWithPolicies, error) {
	var rows []struct {
		RoleID uuid.UUID
		Name   string
	}
	err := s.db.WithContext(ctx).Table("role_policies").Select("role_policies.role_id, policies.name").
		Joins("JOIN policies ON policies.id = role_policies.policy_id").Order("policies.name").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	byRole := map[uuid.UUID][]string{}
	for _, r := range rows {
		byRole[r.RoleID] = append(byRole[r.RoleID], r.Name)
	}
	out := make([]RoleWithPolicies, len(roles))
	for i, r := range roles {
		out[i] = RoleWithPolicies{Role: r, Policies: byRole[r.ID]}
		if out[i].Policies == nil {
			out[i].Policies = []string{}
		}
	}
	return out, nil
}

// ErrBuiltin refuses deleting a built-in role.
var ErrBuiltin = errors.New("built-in")

// DeleteRole removes a custom role no client holds; a held role is
// ErrInUse, a built-in one ErrBuiltin.
func (s *Roles) DeleteRole(ctx context.Context, id uuid.UUID) error {
	r, err := s.RoleByID(ctx, id)
	if err != nil {
		return err
	}
	if r.Builtin {
		return fmt.Errorf("role %s: %w", r.Name, ErrBuiltin)
	}
	if err := translate(s.db.WithContext(ctx).Delete(&Role{}, "id = ?", id).Error); err != nil {
		return fmt.Errorf("delete role %s: %w", r.Name, err)
	}
	return nil
}
