package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Levels of the built-in roles: only a higher level may act on a lower.
const (
	LevelCustomer = 0
	LevelBusiness = 1
	LevelAdmin    = 2
)

// Role names a set of policies and grants a level.
type Role struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	Name        string
	Level       int
	Builtin     bool
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Policy is a named list of statements, stored as JSON.
type Policy struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	Name        string
	Description string
	Statements  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Grants is what a client's roles give it, read fresh for each request so
// that a lost role takes effect at once.
type Grants struct {
	Roles    []string
	Level    int      // the highest level among the roles; -1 without roles
	Policies []Policy // every policy of every role, once each
}

// GrantsOf reads a client's roles and their policies.
func (s *Store) GrantsOf(ctx context.Context, clientID uuid.UUID) (Grants, error) {
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

func (s *Store) grantRole(ctx context.Context, clientID uuid.UUID, roleName string) error {
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
