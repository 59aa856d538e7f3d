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

// The Postgres NOTIFY channels between billgate processes: identity
// changes, and events recorded (sent by the transaction that records
// them, so it arrives when they are committed).
const (
	identityChannel = "billgate_identity"
	eventsChannel   = "billgate_events"
)

// changeFeed fans identity changes, and word of new events, out to this
// process's subscribers. It is shared by a Store, its feature stores and
// the copies WithTx makes.
type changeFeed struct {
	mu     sync.RWMutex
	subs   []func(IdentityChange)
	events []func()
}

// OnEventsRecorded calls fn when, on Postgres, some process has committed
// new events, and whenever the listener reconnects (it may have missed
// some). Relays and streams read the events themselves: the call only
// says there may be more.
func (s *Store) OnEventsRecorded(fn func()) {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	s.feed.events = append(s.feed.events, fn)
}

func (f *changeFeed) eventsRecorded() {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, fn := range f.events {
		fn()
	}
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

// Listen relays the identity changes other processes make, and their new
// events (Postgres LISTEN), to this store's subscribers, until ctx is
// done. When the connection drops it reconnects, and reports a change for
// everyone and new events, since notifications may have been missed. On
// SQLite, which only one process uses, it returns at once.
func (s *Store) Listen(ctx context.Context) {
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
		s.feed.eventsRecorded()
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
	for _, channel := range []string{identityChannel, eventsChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
			return err
		}
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == eventsChannel {
			s.feed.eventsRecorded()
			continue
		}
		id, _ := uuid.Parse(n.Payload) // "*" parses to uuid.Nil: everyone
		s.feed.publish(IdentityChange{ClientID: id})
	}
}
