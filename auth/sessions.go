package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// Sessions lists the principal's live sessions.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]models.Session, error) {
	return s.store.ClientSessions(ctx, p.Client.ID, s.now())
}

// Logout revokes the session the principal presented.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	if p.Session == nil {
		return ErrSessionUnknown
	}
	now := s.now()
	if err := s.store.RevokeSession(ctx, p.Client.ID, p.Session.ID, now); err != nil {
		return err
	}
	s.audit(ctx, event(AuditLogout, models.OutcomeOK, p.IP, nil, p.Client, now), map[string]any{"sessionId": p.Session.ID})
	return nil
}

// RevokeSession revokes one of the principal's own sessions.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, id uuid.UUID) error {
	if p.actsByKey() {
		return ErrKeysCannotMintKeys
	}
	now := s.now()
	if err := s.store.RevokeSession(ctx, p.Client.ID, id, now); err != nil {
		return err
	}
	s.audit(ctx, event(AuditSessionsRevoke, models.OutcomeOK, p.IP, nil, p.Client, now), map[string]any{"sessionId": id})
	return nil
}

// RevokeSessions revokes all the principal's sessions, or all but the
// current one.
func (s *Service) RevokeSessions(ctx context.Context, p *Principal, keepCurrent bool) (int64, error) {
	if p.actsByKey() {
		return 0, ErrKeysCannotMintKeys
	}
	keep := uuid.Nil
	if keepCurrent {
		keep = p.SessionID()
	}
	now := s.now()
	n, err := s.store.RevokeClientSessions(ctx, p.Client.ID, keep, now)
	if err != nil {
		return 0, err
	}
	s.audit(ctx, event(AuditSessionsRevoke, models.OutcomeOK, p.IP, nil, p.Client, now), map[string]any{"count": n, "keptCurrent": keepCurrent})
	return n, nil
}

// ErrExpiryInPast refuses moving a session's expiry to a time already gone.
var ErrExpiryInPast = errors.New("expiresAt must be in the future")

// ExtendSession moves the current session's expiry, capped by its
// absolute lifetime. It returns the expiry that was set.
func (s *Service) ExtendSession(ctx context.Context, p *Principal, to time.Time) (time.Time, error) {
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
	if err := s.store.SetSessionExpiry(ctx, p.Client.ID, p.Session.ID, to); err != nil {
		return time.Time{}, err
	}
	p.Session.ExpiresAt = to
	return to, nil
}
