package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// Persister keeps the identity core's records in billgate's store. It is
// the one file of auth that knows the store's rows: each method maps them
// to and from auth's own types, and marks the store's not-found as
// ErrNotFound.
type Persister struct {
	store *models.Store
}

// NewPersister is the identity core's Store over the database.
func NewPersister(store *models.Store) *Persister { return &Persister{store: store} }

var _ Store = (*Persister)(nil)

// AccountOf is an account row as auth knows it.
func AccountOf(c *models.Client) *Account {
	return &Account{
		ID: c.ID, TenantID: c.TenantID, Login: c.Login, Email: c.Email, DisplayName: c.DisplayName, Birthdate: c.Birthdate,
		Disabled: c.Disabled, PasswordHash: c.PasswordHash, FailedLogins: c.FailedLogins,
		LastLoginAt: c.LastLoginAt, LastLoginIP: c.LastLoginIP, LastFailedLoginAt: c.LastFailedLoginAt,
		PayloadContext: c.PayloadContext, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// SessionOf is a session row as auth knows it.
func SessionOf(s *models.Session) *Session {
	return &Session{
		ID: s.ID, ClientID: s.ClientID, SecretHash: s.SecretHash, IP: s.IP, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, AbsoluteExpiresAt: s.AbsoluteExpiresAt,
		PayloadTemplates: s.PayloadTemplates,
	}
}

func sessionRow(s *Session) *models.Session {
	return &models.Session{
		ID: s.ID, ClientID: s.ClientID, SecretHash: s.SecretHash, IP: s.IP, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, AbsoluteExpiresAt: s.AbsoluteExpiresAt,
		PayloadTemplates: s.PayloadTemplates,
	}
}

func apiKeyOf(k *models.APIKey) *APIKey {
	return &APIKey{ID: k.ID, ClientID: k.ClientID, Name: k.Name, SecretHash: k.SecretHash, Hint: k.Hint,
		PolicyNames: k.PolicyNames, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func apiKeyRow(k *APIKey) *models.APIKey {
	return &models.APIKey{ID: k.ID, ClientID: k.ClientID, Name: k.Name, SecretHash: k.SecretHash, Hint: k.Hint,
		PolicyNames: k.PolicyNames, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func signingKeyOf(k *models.SigningKey) *SigningKey {
	return &SigningKey{ID: k.ID, ClientID: k.ClientID, Name: k.Name, Algorithm: k.Algorithm, RequiredHeaders: k.RequiredHeaders,
		LegacyDateOnly: k.LegacyDateOnly, SealedSecret: k.SealedSecret, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func signingKeyRow(k *SigningKey) *models.SigningKey {
	return &models.SigningKey{ID: k.ID, ClientID: k.ClientID, Name: k.Name, Algorithm: k.Algorithm, RequiredHeaders: k.RequiredHeaders,
		LegacyDateOnly: k.LegacyDateOnly, SealedSecret: k.SealedSecret, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

func policyOf(p *models.Policy) *Policy {
	return &Policy{Name: p.Name, Statements: p.Statements, Payloads: p.Payloads, Substitutions: p.Substitutions}
}

func auditRow(e *AuditEvent) *models.AuditEvent {
	return &models.AuditEvent{OccurredAt: e.OccurredAt, TenantID: e.TenantID, ActorID: e.ActorID, SubjectID: e.SubjectID,
		Action: e.Action, Outcome: e.Outcome, IP: e.IP, Details: e.Details}
}

// one maps a row the store found; the store's not-found becomes ErrNotFound.
func one[R, T any](row *R, err error, of func(*R) *T) (*T, error) {
	if err != nil {
		return nil, marked(err)
	}
	return of(row), nil
}

// all maps the rows the store listed.
func all[R, T any](rows []R, err error, of func(*R) *T) ([]T, error) {
	if err != nil {
		return nil, marked(err)
	}
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = *of(&rows[i])
	}
	return out, nil
}

// created stores what row makes of v, then takes back into v what the
// store filled in (an ID, a timestamp).
func created[T, R any](v *T, row func(*T) *R, create func(*R) error, of func(*R) *T) error {
	r := row(v)
	if err := create(r); err != nil {
		return marked(err)
	}
	*v = *of(r)
	return nil
}

// marked is err, also ErrNotFound when it is the store's not-found. The
// store's error stays in the chain, with its text, for those who answer it
// (the API's 404).
func marked(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return notFound{err}
	}
	return err
}

type notFound struct{ err error }

func (e notFound) Error() string   { return e.err.Error() }
func (e notFound) Unwrap() []error { return []error{e.err, ErrNotFound} }

// IdentityVersions implements versionStore.
func (p *Persister) IdentityVersions(ctx context.Context, clientIDs []uuid.UUID) (map[uuid.UUID]IdentityVersion, error) {
	vs, err := p.store.IdentityVersions(ctx, clientIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]IdentityVersion, len(vs))
	for id, v := range vs {
		out[id] = IdentityVersion(v)
	}
	return out, nil
}

// AccountByID implements principalStore and loginStore.
func (p *Persister) AccountByID(ctx context.Context, id uuid.UUID) (*Account, error) {
	c, err := p.store.ClientByID(ctx, id)
	return one(c, err, AccountOf)
}

// AccountByLogin implements loginStore.
func (p *Persister) AccountByLogin(ctx context.Context, tenantID *uuid.UUID, login string) (*Account, error) {
	c, err := p.store.ClientByLogin(ctx, tenantID, login)
	return one(c, err, AccountOf)
}

// GrantsOf implements principalStore.
func (p *Persister) GrantsOf(ctx context.Context, clientID uuid.UUID) (Grants, error) {
	g, err := p.store.GrantsOf(ctx, clientID)
	if err != nil {
		return Grants{}, marked(err)
	}
	policies, _ := all(g.Policies, nil, policyOf)
	return Grants{Roles: g.Roles, Level: g.Level, Policies: policies, Listening: g.Listening, Contexts: g.Contexts}, nil
}

// ReserveLoginAttempt implements loginStore.
func (p *Persister) ReserveLoginAttempt(ctx context.Context, src LoginSource, now time.Time, lockedUntil func(attempt int) *time.Time) (*time.Time, bool, error) {
	t, reserved, err := p.store.ReserveLoginAttempt(ctx, models.LoginSource(src), now, lockedUntil)
	if err != nil {
		return nil, false, marked(err)
	}
	return t.LockedUntil, reserved, nil
}

// TakeLoginIPToken implements loginStore.
func (p *Persister) TakeLoginIPToken(ctx context.Context, ip string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	wait, err := p.store.TakeLoginIPToken(ctx, ip, now, every, burst)
	return wait, marked(err)
}

// ReturnLoginIPToken implements loginStore.
func (p *Persister) ReturnLoginIPToken(ctx context.Context, ip string, every time.Duration) error {
	return marked(p.store.ReturnLoginIPToken(ctx, ip, every))
}

// RecordLoginFailure implements loginStore.
func (p *Persister) RecordLoginFailure(ctx context.Context, id uuid.UUID, now time.Time) error {
	return marked(p.store.RecordLoginFailure(ctx, id, now))
}

// RecordLoginSuccess implements loginStore.
func (p *Persister) RecordLoginSuccess(ctx context.Context, id uuid.UUID, src LoginSource, now time.Time, rehashed string) error {
	return marked(p.store.RecordLoginSuccess(ctx, id, models.LoginSource(src), now, rehashed))
}

// SetPassword implements loginStore.
func (p *Persister) SetPassword(ctx context.Context, id uuid.UUID, hash string, now time.Time) error {
	return marked(p.store.SetPassword(ctx, id, hash, now))
}

// RecordAudit implements auditStore.
func (p *Persister) RecordAudit(ctx context.Context, e *AuditEvent) error {
	return marked(p.store.RecordAudit(ctx, auditRow(e)))
}

// CreateSession implements sessionStore.
func (p *Persister) CreateSession(ctx context.Context, s *Session) error {
	return created(s, sessionRow, func(r *models.Session) error { return p.store.CreateSession(ctx, r) }, SessionOf)
}

// LiveSession implements sessionStore.
func (p *Persister) LiveSession(ctx context.Context, secretHash string, now time.Time) (*Session, error) {
	s, err := p.store.LiveSession(ctx, secretHash, now)
	return one(s, err, SessionOf)
}

// LiveSessionByID implements sessionStore.
func (p *Persister) LiveSessionByID(ctx context.Context, id uuid.UUID, now time.Time) (*Session, error) {
	s, err := p.store.LiveSessionByID(ctx, id, now)
	return one(s, err, SessionOf)
}

// TouchSession implements sessionStore.
func (p *Persister) TouchSession(ctx context.Context, id uuid.UUID, now, expiresAt time.Time) error {
	return marked(p.store.TouchSession(ctx, id, now, expiresAt))
}

// ClientSessions implements sessionStore.
func (p *Persister) ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]Session, error) {
	rows, err := p.store.ClientSessions(ctx, clientID, now)
	return all(rows, err, SessionOf)
}

// RevokeSession implements sessionStore.
func (p *Persister) RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return marked(p.store.RevokeSession(ctx, clientID, id, now))
}

// RevokeClientSessions implements sessionStore and loginStore.
func (p *Persister) RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error) {
	n, err := p.store.RevokeClientSessions(ctx, clientID, keep, now)
	return n, marked(err)
}

// SetSessionExpiry implements sessionStore.
func (p *Persister) SetSessionExpiry(ctx context.Context, clientID, id uuid.UUID, expiresAt time.Time) error {
	return marked(p.store.SetSessionExpiry(ctx, clientID, id, expiresAt))
}

// CreateAPIKey implements apiKeyStore.
func (p *Persister) CreateAPIKey(ctx context.Context, k *APIKey, now time.Time) error {
	return created(k, apiKeyRow, func(r *models.APIKey) error { return p.store.CreateAPIKey(ctx, r, now) }, apiKeyOf)
}

// APIKeyByID implements apiKeyStore.
func (p *Persister) APIKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*APIKey, error) {
	k, err := p.store.APIKeyByID(ctx, id, now)
	return one(k, err, apiKeyOf)
}

// APIKeys implements apiKeyStore.
func (p *Persister) APIKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]APIKey, error) {
	rows, err := p.store.APIKeys(ctx, clientID, now)
	return all(rows, err, apiKeyOf)
}

// TouchAPIKey implements apiKeyStore.
func (p *Persister) TouchAPIKey(ctx context.Context, id uuid.UUID, now time.Time) error {
	return marked(p.store.TouchAPIKey(ctx, id, now))
}

// RevokeAPIKey implements apiKeyStore.
func (p *Persister) RevokeAPIKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return marked(p.store.RevokeAPIKey(ctx, clientID, id, now))
}

// CreateSigningKey implements signingKeyStore.
func (p *Persister) CreateSigningKey(ctx context.Context, k *SigningKey, now time.Time) error {
	return created(k, signingKeyRow, func(r *models.SigningKey) error { return p.store.CreateSigningKey(ctx, r, now) }, signingKeyOf)
}

// SigningKeyByID implements signingKeyStore.
func (p *Persister) SigningKeyByID(ctx context.Context, id uuid.UUID, now time.Time) (*SigningKey, error) {
	k, err := p.store.SigningKeyByID(ctx, id, now)
	return one(k, err, signingKeyOf)
}

// SigningKeys implements signingKeyStore.
func (p *Persister) SigningKeys(ctx context.Context, clientID uuid.UUID, now time.Time) ([]SigningKey, error) {
	rows, err := p.store.SigningKeys(ctx, clientID, now)
	return all(rows, err, signingKeyOf)
}

// TouchSigningKey implements signingKeyStore.
func (p *Persister) TouchSigningKey(ctx context.Context, id uuid.UUID, now time.Time) error {
	return marked(p.store.TouchSigningKey(ctx, id, now))
}

// RecordSignature implements signingKeyStore.
func (p *Persister) RecordSignature(ctx context.Context, key uuid.UUID, mac []byte, expiresAt, now time.Time) (bool, error) {
	first, err := p.store.RecordSignature(ctx, key, mac, expiresAt, now)
	return first, marked(err)
}

// RevokeSigningKey implements signingKeyStore.
func (p *Persister) RevokeSigningKey(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return marked(p.store.RevokeSigningKey(ctx, clientID, id, now))
}
