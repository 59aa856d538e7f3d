package models

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// IdentityChange says whose identity state changed: one client's account,
// roles or sessions, or (ClientID uuid.Nil) everyone's, after a role or
// policy edit. Caches of authenticated principals drop what it names.
type IdentityChange struct {
	ClientID uuid.UUID
}

// identityChannel is the Postgres NOTIFY channel that carries identity
// changes between billgate processes.
const identityChannel = "billgate_identity"

// changeFeed fans identity changes out to this process's subscribers. It is
// shared by a Store, its feature stores and the copies WithTx makes.
type changeFeed struct {
	mu   sync.RWMutex
	subs []func(IdentityChange)
}

// OnIdentityChange subscribes fn to identity changes: those this process
// makes, and on Postgres those of every other process too (see
// ListenIdentityChanges).
func (s *Store) OnIdentityChange(fn func(IdentityChange)) {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	s.feed.subs = append(s.feed.subs, fn)
}

func (f *changeFeed) publish(c IdentityChange) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, fn := range f.subs {
		fn(c)
	}
}

// identityChanged tells subscribers here and, on Postgres, the other
// processes. Call it after the change is committed.
func (s *conn) identityChanged(ctx context.Context, clientID uuid.UUID) {
	s.feed.publish(IdentityChange{ClientID: clientID})
	if s.dialect != Postgres {
		return
	}
	payload := "*"
	if clientID != uuid.Nil {
		payload = clientID.String()
	}
	if err := s.db.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", identityChannel, payload).Error; err != nil {
		// Other processes fall back on their cache lifetime.
		s.log.WarnContext(ctx, "identity change not broadcast", slog.Any("error", err))
	}
}

// ListenIdentityChanges relays the identity changes other processes make
// (Postgres LISTEN) to this store's subscribers, until ctx is done. When
// the connection drops it reconnects, and reports a change for everyone,
// since notifications may have been missed. On SQLite, which only one
// process uses, it returns at once.
func (s *Store) ListenIdentityChanges(ctx context.Context) {
	if s.dialect != Postgres {
		return
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := s.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		s.log.WarnContext(ctx, "identity change listener reconnecting", slog.Any("error", err), slog.Duration("in", backoff))
		s.feed.publish(IdentityChange{})
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (s *Store) listen(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+identityChannel); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		id, _ := uuid.Parse(n.Payload) // "*" parses to uuid.Nil: everyone
		s.feed.publish(IdentityChange{ClientID: id})
	}
}
