package auth

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

func cachedFor(id uuid.UUID) *Principal {
	return &Principal{Account: &Account{ID: id}, Session: &Session{ID: uuid.New(), ClientID: id}}
}

func TestPrincipalCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice := uuid.New()
	c := newPrincipalCache(10 * time.Second)
	c.put("a1", cachedFor(alice), now)

	p, ok := c.get("a1", now.Add(9*time.Second))
	if !ok {
		t.Fatal("get(a1) within the lifetime missed")
	}
	p.Session.ExpiresAt = now.Add(time.Hour) // callers may change their copy
	if again, _ := c.get("a1", now); !again.Session.ExpiresAt.IsZero() {
		t.Errorf("a caller's change to its copy reached the cache")
	}
	if _, ok := c.get("a1", now.Add(10*time.Second)); ok {
		t.Errorf("get(a1) after the lifetime hit")
	}
	if _, ok := c.get("a2", now); ok {
		t.Errorf("get(a2), never put, hit")
	}
}

// versionedStore is one client whose account changes as a transaction
// would change it: its data (DisplayName holds the number of changes) and
// its identity version move together.
type versionedStore struct {
	mu      sync.Mutex
	changes int64
	reads   atomic.Int64 // of the version
	loads   atomic.Int64 // of the account
}

func (s *versionedStore) change() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes++
	return s.changes
}

func (s *versionedStore) committed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}

func (s *versionedStore) AccountByID(_ context.Context, id uuid.UUID) (*Account, error) {
	s.loads.Add(1)
	a := &Account{ID: id, DisplayName: strconv.FormatInt(s.committed(), 10)}
	runtime.Gosched() // the round trip back, during which others commit
	return a, nil
}

func (s *versionedStore) GrantsOf(context.Context, uuid.UUID) (Grants, error) {
	return Grants{Level: -1}, nil
}

func (s *versionedStore) IdentityVersions(_ context.Context, clients []uuid.UUID) (map[uuid.UUID]IdentityVersion, error) {
	s.reads.Add(1)
	out := map[uuid.UUID]IdentityVersion{}
	for _, id := range clients {
		out[id] = IdentityVersion{Client: s.committed()}
	}
	return out, nil
}

// Requests authenticate while another process changes the client: a
// request begun after a change was committed never gets a principal
// loaded before it, however its load raced the change. (Reading the
// version after loading would cache an old principal as current.)
func TestCachedPrincipalsRaceChanges(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice := uuid.New()
	store := &versionedStore{}
	ps := newPrincipals(store, &payloadCompiler{log: discardLog}, time.Hour)
	const readers, rounds = 6, 1000
	together(1+readers, func(g int) {
		for range rounds {
			if g == 0 {
				store.change()
				continue
			}
			floor := store.committed()
			p, err := ps.ofClient(context.Background(), alice, now)
			if err != nil {
				t.Errorf("ofClient() = %v", err)
				return
			}
			if loaded, _ := strconv.ParseInt(p.Account.DisplayName, 10, 64); loaded < floor {
				t.Errorf("a request begun after change %d got the principal as of change %d", floor, loaded)
				return
			}
		}
	})

	// Unchanged, the principal is served from the cache: one read of the
	// version, no load.
	if _, err := ps.ofClient(context.Background(), alice, now); err != nil {
		t.Fatal(err)
	}
	reads, loads := store.reads.Load(), store.loads.Load()
	if again, err := ps.ofClient(context.Background(), alice, now); err != nil || again.Account.DisplayName != strconv.FormatInt(store.committed(), 10) {
		t.Errorf("ofClient() unchanged = %+v, %v, want the cached principal", again, err)
	}
	if r, l := store.reads.Load()-reads, store.loads.Load()-loads; r != 1 || l != 0 {
		t.Errorf("a cached principal read the version %d times and loaded %d times, want 1 and 0", r, l)
	}
}
