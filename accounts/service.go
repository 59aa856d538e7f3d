// Package accounts administers accounts: who may create which account, who
// sees which, what changing, disabling or deleting one does to its
// credentials, and who reads which part of the audit trail. The API
// translates requests into these operations; the rules live here once.
package accounts

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/models"
)

// Store keeps accounts and their roles.
type Store interface {
	CreateClient(ctx context.Context, c *models.Client, roles ...string) error
	ClientByID(ctx context.Context, id uuid.UUID) (*models.Client, error)
	ListClients(ctx context.Context, f models.ClientFilter) ([]models.Client, error)
	// UpdateClient applies changes. Disabling an account revokes its
	// sessions, API keys and signing keys in the same transaction, so that
	// none of them works again if it is enabled again.
	UpdateClient(ctx context.Context, id uuid.UUID, ch models.ClientChanges, now time.Time) (*models.Client, error)
	DeleteClient(ctx context.Context, id uuid.UUID) error
	RolesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error)
	// SetRoles replaces an account's roles; an unknown role is models.ErrNotFound.
	SetRoles(ctx context.Context, id uuid.UUID, roles []string) error
	SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error
}

// Sessions lists and revokes an account's sessions.
type Sessions interface {
	ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]models.Session, error)
	RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error)
}

// PasswordHasher hashes the passwords accounts are given.
type PasswordHasher interface {
	Hash(password string) (string, error)
}

// Trail is the audit trail: every change to an account is recorded in it.
type Trail interface {
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
	AuditEvents(ctx context.Context, f models.AuditFilter) ([]models.AuditEvent, error)
}

// Service administers accounts.
type Service struct {
	store    Store
	sessions Sessions
	hasher   PasswordHasher
	trail    Trail
	now      func() time.Time
	log      *slog.Logger
}

// NewService administers the accounts in store, reading the time from now.
func NewService(store Store, sessions Sessions, hasher PasswordHasher, trail Trail, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, sessions: sessions, hasher: hasher, trail: trail, now: now, log: log}
}

// Actor is who acts on accounts: its own account, the level its roles
// grant, and the address its request came from, for the audit trail.
type Actor struct {
	Client *models.Client
	Level  int
	IP     string
}

// Account is an account with the names of its roles.
type Account struct {
	Client *models.Client
	Roles  []string
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// Audited account actions.
const (
	auditCreate   = "client.create"
	auditUpdate   = "client.update"
	auditDisable  = "client.disable"
	auditEnable   = "client.enable"
	auditDelete   = "client.delete"
	auditRoles    = "client.roles"
	auditPassword = "client.password"
	auditSessions = "client.sessions.revoke"
)

// record notes in the trail that a did action to subject.
func (s *Service) record(ctx context.Context, a Actor, action string, subject *models.Client, details map[string]any) {
	e := models.AuditEvent{
		OccurredAt: s.clock(), Action: action, Outcome: models.OutcomeOK, IP: a.IP,
		ActorID: &a.Client.ID, SubjectID: &subject.ID, TenantID: models.TenantOf(subject),
	}
	auth.Audit(ctx, s.trail, s.log, e, details)
}
