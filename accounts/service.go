// Package accounts administers accounts: who may create which account, who
// sees which, what changing, disabling or deleting one does to its
// credentials, and who reads which part of the audit trail. The API
// translates requests into these operations; the rules live here once.
package accounts

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
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

// Trail is the audit trail: what an admin or a business does to an account
// is recorded in it, and read back narrowed to the reader.
type Trail interface {
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
	AuditEvents(ctx context.Context, f models.AuditFilter) ([]models.AuditEvent, error)
}

// Service is the accounts' operations.
type Service struct {
	Store    Store
	Sessions Sessions
	Hasher   PasswordHasher
	Trail    Trail
	Now      func() time.Time
	Log      *slog.Logger // where an event the trail could not record is logged
}

// Actor is who acts on accounts: the caller, and the address its request
// came from, for the audit trail.
type Actor struct {
	tenancy.Caller
	IP string
}

// Account is an account with the names of its roles.
type Account struct {
	Client *models.Client
	Roles  []string
}

func (s *Service) clock() time.Time { return s.Now().UTC() }

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

// record notes in the trail that a did action to subject. A failure to
// record is logged, not returned: the action already happened.
func (s *Service) record(ctx context.Context, a Actor, action string, subject *models.Client, details map[string]any) {
	e := models.AuditEvent{
		OccurredAt: s.clock(), Action: action, Outcome: models.OutcomeOK, IP: a.IP,
		ActorID: &a.ID, SubjectID: &subject.ID, TenantID: models.TenantOf(subject),
	}
	if details != nil {
		b, _ := json.Marshal(details)
		e.Details = string(b)
	}
	if err := s.Trail.RecordAudit(ctx, &e); err != nil {
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.ErrorContext(ctx, "audit event not recorded", slog.String("action", e.Action), slog.Any("error", err))
	}
}
