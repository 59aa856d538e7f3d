package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/payloadcheck"
)

// Session is a login's session; its secret is kept only as a hash.
type Session struct {
	ID                uuid.UUID
	ClientID          uuid.UUID
	SecretHash        string
	IP                string // where it was opened from
	UserAgent         string
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // slides with use, up to AbsoluteExpiresAt
	AbsoluteExpiresAt time.Time
	// PayloadTemplates are the payload templates compiled at login, as
	// JSON; nil without any.
	PayloadTemplates *string
}

// sessionStore keeps sessions.
type sessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	LiveSession(ctx context.Context, secretHash string, now time.Time) (*Session, error)
	LiveSessionByID(ctx context.Context, id uuid.UUID, now time.Time) (*Session, error)
	TouchSession(ctx context.Context, id uuid.UUID, now, expiresAt time.Time) error
	ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]Session, error)
	RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error
	RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error)
	SetSessionExpiry(ctx context.Context, clientID, id uuid.UUID, expiresAt time.Time) error
	auditStore
}

// IP binding modes (BILLGATE_SESSION_IP_BINDING).
const (
	IPBindingOff    = "off"
	IPBindingLog    = "log"
	IPBindingStrict = "strict"
)

// SessionRules are how long sessions live and where they may be used.
type SessionRules struct {
	IdleTimeout      time.Duration // a session unused this long expires
	AbsoluteLifetime time.Duration // no session outlives this
	IPBinding        string        // off, log or strict
}

// DefaultSessionRules are 2 h idle, 24 h absolute, no IP binding.
var DefaultSessionRules = SessionRules{IdleTimeout: 2 * time.Hour, AbsoluteLifetime: 24 * time.Hour, IPBinding: IPBindingOff}

// Origin is where a request comes from, kept with its session.
type Origin struct {
	IP        string
	UserAgent string
}

// LoginResult is a new session and the secret that presents it, shown
// only this once.
type LoginResult struct {
	Session *Session
	Token   string
}

// ErrExpiryInPast refuses moving a session's expiry to a time already gone.
var ErrExpiryInPast = errors.New("expiresAt must be in the future")

// Sessions opens sessions, authenticates their secrets, and lets their
// holders list, extend and end them.
type Sessions struct {
	store      sessionStore
	rules      SessionRules
	principals *principals
	audit      auditor
	now        func() time.Time
	log        *slog.Logger
}

// open opens a session for p, keeping p's compiled payload templates: they
// hold until the session ends. It is audited as a login, with details
// (which it adds the session's ID to).
func (s *Sessions) open(ctx context.Context, p *Principal, from Origin, now time.Time, details map[string]any) (*LoginResult, error) {
	compiled, err := json.Marshal(p.Payloads)
	if err != nil {
		return nil, err
	}
	token, hash := NewSessionToken()
	sess := &Session{
		PayloadTemplates:  new(string(compiled)),
		ClientID:          p.Account.ID,
		SecretHash:        hash,
		IP:                from.IP,
		UserAgent:         truncate(from.UserAgent, 512),
		CreatedAt:         now,
		LastSeenAt:        now,
		ExpiresAt:         now.Add(min(s.rules.IdleTimeout, s.rules.AbsoluteLifetime)),
		AbsoluteExpiresAt: now.Add(s.rules.AbsoluteLifetime),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	details["sessionId"] = sess.ID
	s.audit.record(ctx, event(AuditLogin, outcomeOK, from.IP, nil, p.Account, now), details)
	return &LoginResult{Session: sess, Token: token}, nil
}

// Authenticate finds the live session a session secret presents, and who
// it acts for. Unknown, expired and revoked sessions, and sessions of
// disabled clients, are all ErrSessionUnknown.
func (s *Sessions) Authenticate(ctx context.Context, secret string, from Origin) (*Principal, error) {
	if !LooksLikeSessionToken(secret) {
		return nil, ErrSessionUnknown
	}
	hash := HashToken(secret)
	return s.authenticate(ctx, hash, from, func(now time.Time) (*Session, error) {
		return s.store.LiveSession(ctx, hash, now)
	})
}

// authenticateByID is Authenticate for the session an access token names.
func (s *Sessions) authenticateByID(ctx context.Context, id uuid.UUID, from Origin) (*Principal, error) {
	return s.authenticate(ctx, "jwt:"+id.String(), from, func(now time.Time) (*Session, error) {
		return s.store.LiveSessionByID(ctx, id, now)
	})
}

// authenticate finds the principal of the session cached under key, or
// found by find; checks its IP binding; and slides its idle expiry.
func (s *Sessions) authenticate(ctx context.Context, key string, from Origin, find func(now time.Time) (*Session, error)) (*Principal, error) {
	now := s.now()
	clientOf := func() (uuid.UUID, error) {
		sess, err := live(find(now))
		if err != nil {
			return uuid.Nil, err
		}
		return sess.ClientID, nil
	}
	load := func() (*Principal, error) { return s.load(ctx, now, find) }
	p, err := s.principals.cached(ctx, key, now, clientOf, load)
	if err == nil && !p.Session.ExpiresAt.After(now) {
		// Another process may have slid the expiry since.
		p, err = s.principals.fresh(ctx, key, now, p.Account.ID, load)
	}
	if err != nil {
		return nil, err
	}
	if p.Session.IP != from.IP && s.rules.IPBinding != IPBindingOff {
		s.log.WarnContext(ctx, "session used from another IP",
			slog.String("sessionId", p.Session.ID.String()), slog.String("sessionIp", p.Session.IP), slog.String("requestIp", from.IP))
		if s.rules.IPBinding == IPBindingStrict {
			return nil, ErrAuthFailed
		}
	}
	if now.Sub(p.Session.LastSeenAt) >= touchEvery {
		p.Session.ExpiresAt = minTime(now.Add(s.rules.IdleTimeout), p.Session.AbsoluteExpiresAt)
		p.Session.LastSeenAt = now
		if err := s.store.TouchSession(ctx, p.Session.ID, now, p.Session.ExpiresAt); err != nil {
			return nil, err
		}
		s.principals.cache.put(key, p, now)
	}
	p.IP = from.IP
	return p, nil
}

// load reads a live session (found by find) and its principal from the
// database.
func (s *Sessions) load(ctx context.Context, now time.Time, find func(now time.Time) (*Session, error)) (*Principal, error) {
	sess, err := live(find(now))
	if err != nil {
		return nil, err
	}
	p, err := s.principals.load(ctx, sess.ClientID)
	if err != nil {
		return nil, err
	}
	if p.Payloads, err = payloadsOf(sess); err != nil {
		return nil, err
	}
	p.Session = sess
	return p, nil
}

// live is the session a store's find found, or ErrSessionUnknown.
func live(sess *Session, err error) (*Session, error) {
	if errors.Is(err, ErrNotFound) {
		return nil, ErrSessionUnknown
	}
	return sess, err
}

// payloadsOf reads the templates a session was compiled with at login.
func payloadsOf(sess *Session) (*payloadcheck.Set, error) {
	set := &payloadcheck.Set{}
	if sess.PayloadTemplates == nil {
		return set, nil
	}
	if err := json.Unmarshal([]byte(*sess.PayloadTemplates), set); err != nil {
		return nil, fmt.Errorf("session %s: payload templates: %w", sess.ID, err)
	}
	return set, nil
}

// List lists the principal's live sessions.
func (s *Sessions) List(ctx context.Context, p *Principal) ([]Session, error) {
	return s.store.ClientSessions(ctx, p.Account.ID, s.now())
}

// Logout revokes the session the principal presented.
func (s *Sessions) Logout(ctx context.Context, p *Principal) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	if p.Session == nil {
		return ErrSessionUnknown
	}
	now := s.now()
	if err := s.store.RevokeSession(ctx, p.Account.ID, p.Session.ID, now); err != nil {
		return err
	}
	s.audit.record(ctx, event(AuditLogout, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"sessionId": p.Session.ID})
	return nil
}

// Revoke revokes one of the principal's own sessions.
func (s *Sessions) Revoke(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	now := s.now()
	if err := s.store.RevokeSession(ctx, p.Account.ID, id, now); err != nil {
		return err
	}
	s.audit.record(ctx, event(AuditSessionsRevoke, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"sessionId": id})
	return nil
}

// RevokeAll revokes all the principal's sessions, or all but the current
// one.
func (s *Sessions) RevokeAll(ctx context.Context, p *Principal, keepCurrent bool) (int64, error) {
	if p.actsByKey() {
		return 0, ErrKeysCannotMintKeys
	}
	keep := uuid.Nil
	if keepCurrent {
		keep = p.SessionID()
	}
	now := s.now()
	n, err := s.store.RevokeClientSessions(ctx, p.Account.ID, keep, now)
	if err != nil {
		return 0, err
	}
	s.audit.record(ctx, event(AuditSessionsRevoke, outcomeOK, p.IP, nil, p.Account, now), map[string]any{"count": n, "keptCurrent": keepCurrent})
	return n, nil
}

// Extend moves the current session's expiry, capped by its absolute
// lifetime. It returns the expiry that was set.
func (s *Sessions) Extend(ctx context.Context, p *Principal, to time.Time) (time.Time, error) {
	if p.actsByKey() {
		return time.Time{}, ErrKeysCannotMintKeys
	}
	if p.Session == nil {
		return time.Time{}, ErrSessionUnknown
	}
	if !to.After(s.now()) {
		return time.Time{}, ErrExpiryInPast
	}
	to = minTime(to, p.Session.AbsoluteExpiresAt)
	if err := s.store.SetSessionExpiry(ctx, p.Account.ID, p.Session.ID, to); err != nil {
		return time.Time{}, err
	}
	p.Session.ExpiresAt = to
	return to, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
