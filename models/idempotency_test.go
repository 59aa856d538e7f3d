package models

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestPurgeIdempotencyKeys(t *testing.T) {
	before := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	keys := []struct {
		key       string
		client    string // "alice" or "bob"
		createdAt time.Time
		status    int // 0: still in progress
		gone      bool
	}{
		{key: "answered long ago", client: "alice", createdAt: before.Add(-72 * time.Hour), status: 201, gone: true},
		{key: "answered just before", client: "alice", createdAt: before.Add(-time.Microsecond), status: 200, gone: true},
		{key: "in progress, its request died", client: "alice", createdAt: before.Add(-time.Hour), gone: true},
		{key: "another caller's, old", client: "bob", createdAt: before.Add(-2 * time.Hour), status: 409, gone: true},
		{key: "answered exactly at the cutoff", client: "alice", createdAt: before, status: 201},
		{key: "answered just after", client: "alice", createdAt: before.Add(time.Millisecond), status: 201},
		{key: "in progress, recent", client: "alice", createdAt: before.Add(23 * time.Hour)},
		{key: "another caller's, recent", client: "bob", createdAt: before.Add(time.Hour), status: 201},
	}
	// The cutoff is an instant: the zone it is given in does not matter.
	zones := map[string]*time.Location{"UTC": time.UTC, "UTC-5": time.FixedZone("UTC-5", -5*3600), "UTC+9": time.FixedZone("UTC+9", 9*3600)}
	for name, zone := range zones {
		t.Run(name, func(t *testing.T) {
			openEach(t, func(t *testing.T, s *Store) {
				migrated(t, s)
				ctx := context.Background()
				clients := map[string]*Client{"alice": newClient(t, s, nil, "alice"), "bob": newClient(t, s, nil, "bob")}
				var wantKept []string
				var wantGone int64
				for _, k := range keys {
					r := IdempotentRequest{ClientID: clients[k.client].ID, Key: k.key, RequestHash: "h", CreatedAt: k.createdAt}
					if _, claimed, err := s.ClaimIdempotencyKey(ctx, r, time.Minute); err != nil || !claimed {
						t.Fatalf("ClaimIdempotencyKey(%q) = %v, %v, want claimed", k.key, claimed, err)
					}
					if k.status != 0 {
						if err := s.CompleteIdempotencyKey(ctx, r.ClientID, k.key, k.status, "application/json", `{}`); err != nil {
							t.Fatalf("CompleteIdempotencyKey(%q) = %v", k.key, err)
						}
					}
					if k.gone {
						wantGone++
					} else {
						wantKept = append(wantKept, k.key)
					}
				}

				n, err := s.PurgeIdempotencyKeys(ctx, before.In(zone))
				if err != nil || n != wantGone {
					t.Fatalf("PurgeIdempotencyKeys(%v) = %d, %v, want %d, nil", before.In(zone), n, err, wantGone)
				}
				var kept []string
				if err := s.db.Model(&IdempotentRequest{}).Pluck("key", &kept).Error; err != nil {
					t.Fatal(err)
				}
				slices.Sort(kept)
				slices.Sort(wantKept)
				if !slices.Equal(kept, wantKept) {
					t.Errorf("keys kept = %q, want %q", kept, wantKept)
				}
				// A second purge finds nothing left to do.
				if n, err := s.PurgeIdempotencyKeys(ctx, before); err != nil || n != 0 {
					t.Errorf("PurgeIdempotencyKeys() again = %d, %v, want 0, nil", n, err)
				}
				// A purged key is free again: the same key starts afresh.
				r := IdempotentRequest{ClientID: clients["alice"].ID, Key: "answered long ago", RequestHash: "other", CreatedAt: before.Add(24 * time.Hour)}
				if stored, claimed, err := s.ClaimIdempotencyKey(ctx, r, time.Minute); err != nil || !claimed || stored.RequestHash != "other" {
					t.Errorf("ClaimIdempotencyKey(purged key) = %+v, %v, %v, want claimed afresh", stored, claimed, err)
				}
			})
		})
	}
}

// A key is held by one request at a time, and keeps its reserved resource
// ID through every retry: a released key (a 5xx) is taken over at once, a
// key held past the lease (its process died) by the next retry, an
// answered one never (issue 10, hole 1).
func TestIdempotencyKeyTakeovers(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		alice := newClient(t, s, nil, "alice")
		start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		reserved := uuid.Must(uuid.NewV7())
		claim := func(at time.Time, hash string) (IdempotentRequest, bool) {
			t.Helper()
			stored, claimed, err := s.ClaimIdempotencyKey(ctx, IdempotentRequest{
				ClientID: alice.ID, Key: "k", RequestHash: hash, ResourceID: uuid.Must(uuid.NewV7()), CreatedAt: at, ClaimedAt: at}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return stored, claimed
		}
		if _, claimed, err := s.ClaimIdempotencyKey(ctx, IdempotentRequest{
			ClientID: alice.ID, Key: "k", RequestHash: "h", ResourceID: reserved, CreatedAt: start, ClaimedAt: start}, time.Minute); err != nil || !claimed {
			t.Fatalf("first claim = %v, %v", claimed, err)
		}
		steps := []struct {
			what    string
			at      time.Duration
			hash    string
			release bool // before claiming
			want    bool
		}{
			{"a retry while the first runs", 10 * time.Second, "h", false, false},
			{"another request under the key", 2 * time.Minute, "other", false, false},
			{"a retry after the first died", 2 * time.Minute, "h", false, true},
			{"a retry while the second runs", 2*time.Minute + time.Second, "h", false, false},
			{"a retry after a 5xx", 2*time.Minute + 2*time.Second, "h", true, true},
		}
		for _, st := range steps {
			if st.release {
				if err := s.ReleaseIdempotencyKey(ctx, alice.ID, "k"); err != nil {
					t.Fatal(err)
				}
			}
			stored, claimed := claim(start.Add(st.at), st.hash)
			if claimed != st.want || stored.ResourceID != reserved {
				t.Errorf("%s: claimed %v with resource %s, want %v with %s", st.what, claimed, stored.ResourceID, st.want, reserved)
			}
		}
		if err := s.CompleteIdempotencyKey(ctx, alice.ID, "k", 201, "application/json", `{}`); err != nil {
			t.Fatal(err)
		}
		if stored, claimed := claim(start.Add(time.Hour), "h"); claimed || stored.Status != 201 {
			t.Errorf("a retry after the answer: claimed %v, status %d; want the answer kept", claimed, stored.Status)
		}
	})
}
