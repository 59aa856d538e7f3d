package models

import (
	"context"
	"slices"
	"testing"
	"time"
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
					if _, claimed, err := s.ClaimIdempotencyKey(ctx, r); err != nil || !claimed {
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
				if stored, claimed, err := s.ClaimIdempotencyKey(ctx, r); err != nil || !claimed || stored.RequestHash != "other" {
					t.Errorf("ClaimIdempotencyKey(purged key) = %+v, %v, %v, want claimed afresh", stored, claimed, err)
				}
			})
		})
	}
}
