package models

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Signing keys share the API keys' lifecycle (owned_key.go); this checks
// their own table round-trips.
func TestSigningKeyLifecycle(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		shop := newClient(t, s, nil, "shop", "business")
		k := &SigningKey{ID: uuid.Must(uuid.NewV7()), ClientID: shop.ID, Name: "portal", Algorithm: "hmac-sha256",
			RequiredHeaders: `["date","digest"]`, SealedSecret: "v1.k1.sealed", CreatedAt: now}
		if err := s.CreateSigningKey(ctx, k, now); err != nil {
			t.Fatal(err)
		}
		got, err := s.SigningKeyByID(ctx, k.ID, now)
		if err != nil || got.Algorithm != "hmac-sha256" || got.RequiredHeaders != `["date","digest"]` || got.SealedSecret != "v1.k1.sealed" {
			t.Fatalf("SigningKeyByID() = %+v, %v", got, err)
		}
		if err := s.TouchSigningKey(ctx, k.ID, now); err != nil {
			t.Fatal(err)
		}
		if keys, err := s.SigningKeys(ctx, shop.ID, now); err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
			t.Errorf("SigningKeys() = %+v, %v, want the key, used", keys, err)
		}
		if err := s.RevokeSigningKey(ctx, shop.ID, k.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SigningKeyByID(ctx, k.ID, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("SigningKeyByID(revoked) = %v, want ErrNotFound", err)
		}
	})
}
