package models

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

func newKey(clientID uuid.UUID, name string, expires *time.Time, now time.Time) *APIKey {
	return &APIKey{ID: uuid.Must(uuid.NewV7()), ClientID: clientID, Name: name, SecretHash: uuid.NewString(), Hint: "abcd", ExpiresAt: expires, CreatedAt: now}
}

func TestAPIKeyLifecycle(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		shop := newClient(t, s, nil, "shop", "business")
		other := newClient(t, s, nil, "other", "business")
		var changes []IdentityChange
		s.OnIdentityChange(func(c IdentityChange) { changes = append(changes, c) })

		soon := now.Add(time.Hour)
		live, expiring := newKey(shop.ID, "live", nil, now), newKey(shop.ID, "expiring", &soon, now)
		for _, k := range []*APIKey{live, expiring} {
			if err := s.CreateAPIKey(ctx, k, now); err != nil {
				t.Fatalf("CreateAPIKey(%s) = %v", k.Name, err)
			}
		}
		if got, err := s.APIKeyByID(ctx, expiring.ID, now); err != nil || got.Name != "expiring" {
			t.Errorf("APIKeyByID(expiring, before) = %+v, %v", got, err)
		}
		if _, err := s.APIKeyByID(ctx, expiring.ID, soon); !errors.Is(err, ErrNotFound) {
			t.Errorf("APIKeyByID(expired) = %v, want ErrNotFound", err)
		}
		if keys, err := s.APIKeys(ctx, shop.ID, soon); err != nil || len(keys) != 1 || keys[0].ID != live.ID {
			t.Errorf("APIKeys(after expiry) = %+v, %v, want only the live key", keys, err)
		}
		if err := s.RevokeAPIKey(ctx, other.ID, live.ID, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("RevokeAPIKey(another client's) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeAPIKey(ctx, shop.ID, live.ID, now); err != nil {
			t.Fatal(err)
		}
		if len(changes) != 1 || changes[0].ClientID != shop.ID {
			t.Errorf("identity changes after a revoke = %+v, want the owner's", changes)
		}
		if _, err := s.APIKeyByID(ctx, live.ID, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("APIKeyByID(revoked) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeAPIKey(ctx, shop.ID, live.ID, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("RevokeAPIKey(twice) = %v, want ErrNotFound", err)
		}
		if err := s.CreateAPIKey(ctx, newKey(uuid.New(), "orphan", nil, now), now); !errors.Is(err, ErrNotFound) {
			t.Errorf("CreateAPIKey(unknown client) = %v, want ErrNotFound", err)
		}
	})
}

// Parallel creates never leave a client with more than MaxOwnedKeys live keys.
func TestAPIKeyLimitHoldsUnderConcurrency(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		shop := newClient(t, s, nil, "shop", "business")
		for i := range MaxOwnedKeys - 3 {
			if err := s.CreateAPIKey(ctx, newKey(shop.ID, "k", nil, now), now); err != nil {
				t.Fatalf("CreateAPIKey(#%d) = %v", i, err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() { errs[i] = s.CreateAPIKey(ctx, newKey(shop.ID, "racer", nil, now), now) })
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, ErrConflict):
				t.Errorf("CreateAPIKey(racing) = %v", err)
			}
		}
		keys, err := s.APIKeys(ctx, shop.ID, now)
		if err != nil || len(keys) != MaxOwnedKeys || created != 3 {
			t.Errorf("after racing creates: %d keys (%v), %d created; want %d and 3", len(keys), err, created, MaxOwnedKeys)
		}
	})
}

// Disabling a client revokes its sessions and keys with the flag, so that
// enabling it again brings none back; another client's stay live.
func TestDisablingRevokesCredentials(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		shop, other := newClient(t, s, nil, "shop"), newClient(t, s, nil, "other")
		type credentials struct {
			session    *Session
			apiKey     *APIKey
			signingKey *SigningKey
		}
		give := func(c *Client) credentials {
			out := credentials{
				session: &Session{ClientID: c.ID, SecretHash: uuid.NewString(), CreatedAt: now, LastSeenAt: now,
					ExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(time.Hour)},
				apiKey: newKey(c.ID, "k", nil, now),
				signingKey: &SigningKey{ID: uuid.Must(uuid.NewV7()), ClientID: c.ID, Name: "s", Algorithm: "hmac-sha256",
					RequiredHeaders: `["date"]`, SealedSecret: "x", CreatedAt: now},
			}
			if err := errors.Join(s.CreateSession(ctx, out.session), s.CreateAPIKey(ctx, out.apiKey, now), s.CreateSigningKey(ctx, out.signingKey, now)); err != nil {
				t.Fatal(err)
			}
			return out
		}
		live := func(c credentials) [3]bool {
			_, sessErr := s.LiveSessionByID(ctx, c.session.ID, now)
			_, apiErr := s.APIKeyByID(ctx, c.apiKey.ID, now)
			_, signErr := s.SigningKeyByID(ctx, c.signingKey.ID, now)
			return [3]bool{sessErr == nil, apiErr == nil, signErr == nil}
		}
		shops, others := give(shop), give(other)
		if err := s.SetDisabled(ctx, shop.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, shop.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := live(shops); got != [3]bool{} {
			t.Errorf("shop's session, API key, signing key live after disable and enable = %v, want none", got)
		}
		if got := live(others); got != [3]bool{true, true, true} {
			t.Errorf("other's session, API key, signing key live = %v, want all", got)
		}
	})
}
