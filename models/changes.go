package models

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// IdentityChange says whose identity state changed: one client's account,
// roles or sessions, or (ClientID uuid.Nil) everyone's, after a role or
// policy edit. Open event streams check again what it names.
type IdentityChange struct {
	ClientID uuid.UUID
}

// IdentityVersion counts the changes to a client's identity state and to
// everyone's (role and policy edits). Every change moves one of them in
// its own transaction, so a principal loaded after reading a version is
// current for as long as the version stays the same.
type IdentityVersion struct {
	Client, Everyone int64
}

// IdentityVersions reads the identity versions of clients: one statement
// of primary-key lookups, for any number of clients.
func (s *Accounts) IdentityVersions(ctx context.Context, clientIDs []uuid.UUID) (map[uuid.UUID]IdentityVersion, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT client_id, version FROM identity_versions WHERE client_id IN ?",
		append(slices.Clone(clientIDs), uuid.Nil)).Rows()
	if err != nil {
		return nil, fmt.Errorf("identity versions: %w", translate(err))
	}
	defer rows.Close()
	var everyone int64
	moved := make(map[uuid.UUID]int64, len(clientIDs))
	for rows.Next() {
		var id uuid.UUID
		var version int64
		if err := rows.Scan(&id, &version); err != nil {
			return nil, fmt.Errorf("identity versions: %w", translate(err))
		}
		if id == uuid.Nil {
			everyone = version
		} else {
			moved[id] = version
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity versions: %w", translate(err))
	}
	out := make(map[uuid.UUID]IdentityVersion, len(clientIDs))
	for _, id := range clientIDs {
		out[id] = IdentityVersion{Client: moved[id], Everyone: everyone}
	}
	return out, nil
}

// changeIdentity runs fn in a transaction that also moves the identity
// version of clientID (uuid.Nil: everyone's), so that every process sees
// the change on its next request; once it is committed, subscribers hear
// of it (identityChanged).
func changeIdentity[S ~struct{ *conn }](ctx context.Context, c *conn, clientID uuid.UUID, fn func(tx *S) error) error {
	err := c.withTx(ctx, func(tx *conn) error {
		if err := fn(&S{tx}); err != nil {
			return err
		}
		err := tx.db.WithContext(ctx).Exec("INSERT INTO identity_versions (client_id, version) VALUES (?, 1) "+
			"ON CONFLICT (client_id) DO UPDATE SET version = identity_versions.version + 1", clientID).Error
		return translate(err)
	})
	if err != nil {
		return err
	}
	c.identityChanged(ctx, clientID)
	return nil
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
// says there may be more. fn runs on the listener's goroutine, so it must
// not block: a slow fn would delay every notification after it.
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
// makes, and on Postgres those of every other process too (see Listen),
// which arrive a few milliseconds after the change's response at best.
// What must apply on the next request reads IdentityVersion instead. fn
// runs on the listener's goroutine, so it must not block.
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
		// Other processes' open event streams miss it; their principal
		// caches check identity versions and do not.
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
