package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Sessions keeps logins: the sessions, and the failed attempts that lock
// a source out (login_throttle.go).
type Sessions struct{ *conn }

// Session is a login. The secret is never stored: SecretHash is its SHA-256.
type Session struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	ClientID          uuid.UUID
	SecretHash        string
	IP                string `gorm:"column:ip"`
	UserAgent         string
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time
	AbsoluteExpiresAt time.Time
	RevokedAt         *time.Time
	// PayloadTemplates are the payload templates compiled at login, as
	// JSON; nil without any.
	PayloadTemplates *string
}

// CreateSession stores a new session.
func (s *Sessions) CreateSession(ctx context.Context, sess *Session) error {
	if sess.ID == uuid.Nil {
		sess.ID = uuid.New()
	}
	if err := translate(s.db.WithContext(ctx).Create(sess).Error); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// LiveSession finds the unrevoked, unexpired session with this secret hash.
func (s *Sessions) LiveSession(ctx context.Context, secretHash string, now time.Time) (*Session, error) {
	return s.liveSession(ctx, "secret_hash = ?", secretHash, now)
}

// LiveSessionByID finds a session by its public ID, if it is neither
// revoked nor expired.
func (s *Sessions) LiveSessionByID(ctx context.Context, id uuid.UUID, now time.Time) (*Session, error) {
	return s.liveSession(ctx, "id = ?", id, now)
}

func (s *Sessions) liveSession(ctx context.Context, by string, key any, now time.Time) (*Session, error) {
	var sess Session
	err := s.db.WithContext(ctx).Where(by+" AND revoked_at IS NULL AND expires_at > ?", key, now).Take(&sess).Error
	if err != nil {
		return nil, fmt.Errorf("session: %w", translate(err))
	}
	return &sess, nil
}

// TouchSession records use and slides the idle expiry, never past the
// absolute one.
func (s *Sessions) TouchSession(ctx context.Context, id uuid.UUID, now, expiresAt time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"last_seen_at": now, "expires_at": expiresAt}).Error)
}

// SetSessionExpiry moves a live session's expiry.
func (s *Sessions) SetSessionExpiry(ctx context.Context, clientID, id uuid.UUID, expiresAt time.Time) error {
	return changeIdentity(ctx, s.conn, clientID, func(tx *Sessions) error {
		return translate(tx.db.WithContext(ctx).Model(&Session{}).Where("id = ? AND client_id = ? AND revoked_at IS NULL", id, clientID).
			Update("expires_at", expiresAt).Error)
	})
}

// ClientSessions lists a client's live sessions, newest first.
func (s *Sessions) ClientSessions(ctx context.Context, clientID uuid.UUID, now time.Time) ([]Session, error) {
	var out []Session
	err := s.db.WithContext(ctx).
		Where("client_id = ? AND revoked_at IS NULL AND expires_at > ?", clientID, now).
		Order("created_at DESC, id").Find(&out).Error
	return out, translate(err)
}

// RevokeSession revokes one of a client's sessions. A session of another
// client, or an already dead one, is ErrNotFound.
func (s *Sessions) RevokeSession(ctx context.Context, clientID, id uuid.UUID, now time.Time) error {
	return changeIdentity(ctx, s.conn, clientID, func(tx *Sessions) error {
		return revokeClientRow(tx.db.WithContext(ctx).Model(&Session{}), "session", clientID, id, now)
	})
}

// RevokeClientSessions revokes every live session of a client except keep
// (uuid.Nil keeps none), and returns how many it revoked.
func (s *Sessions) RevokeClientSessions(ctx context.Context, clientID, keep uuid.UUID, now time.Time) (int64, error) {
	var revoked int64
	err := changeIdentity(ctx, s.conn, clientID, func(tx *Sessions) error {
		res := tx.db.WithContext(ctx).Model(&Session{}).
			Where("client_id = ? AND id <> ? AND revoked_at IS NULL", clientID, keep).
			Update("revoked_at", now)
		revoked = res.RowsAffected
		return translate(res.Error)
	})
	return revoked, err
}

// PurgeSessions deletes sessions that expired or were revoked before cutoff.
func (s *Sessions) PurgeSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ? OR revoked_at < ?", cutoff, cutoff).Delete(&Session{})
	return res.RowsAffected, translate(res.Error)
}
