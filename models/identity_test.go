package models

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func newClient(t *testing.T, s *Store, tenant *uuid.UUID, login string, roles ...string) *Client {
	t.Helper()
	c := &Client{TenantID: tenant, Login: login, PasswordHash: "x"}
	if err := s.CreateClient(context.Background(), c, roles...); err != nil {
		t.Fatalf("CreateClient(%s) = %v", login, err)
	}
	return c
}

func TestClientsAndGrants(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		shop := newClient(t, s, nil, "shop", "business")
		bob := newClient(t, s, &shop.ID, "bob", "customer")
		root := newClient(t, s, nil, "root", "admin", "business")

		if err := s.CreateClient(ctx, &Client{TenantID: &shop.ID, Login: "bob"}); !errors.Is(err, ErrConflict) {
			t.Errorf("CreateClient(duplicate) = %v, want ErrConflict", err)
		}
		if err := s.CreateClient(ctx, &Client{Login: "ghost"}, "wizard"); !errors.Is(err, ErrNotFound) {
			t.Errorf("CreateClient(unknown role) = %v, want ErrNotFound", err)
		}
		if _, err := s.ClientByLogin(ctx, nil, "ghost"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a failed CreateClient left a row behind: %v", err)
		}
		if got, err := s.ClientByLogin(ctx, &shop.ID, "bob"); err != nil || got.ID != bob.ID {
			t.Errorf("ClientByLogin(shop, bob) = %v, %v, want %s", got, err, bob.ID)
		}
		if _, err := s.ClientByLogin(ctx, nil, "bob"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ClientByLogin(platform, bob) = %v, want ErrNotFound", err)
		}

		tests := []struct {
			client       *Client
			wantRoles    []string
			wantLevel    int
			wantPolicies []string
		}{
			{bob, []string{"customer"}, LevelCustomer, []string{"customer-default"}},
			{shop, []string{"business"}, LevelBusiness, []string{"business-default"}},
			{root, []string{"admin", "business"}, LevelAdmin, []string{"admin-default", "business-default"}},
		}
		for _, tt := range tests {
			g, err := s.GrantsOf(ctx, tt.client.ID)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range g.Policies {
				names = append(names, p.Name)
			}
			if !slices.Equal(g.Roles, tt.wantRoles) || g.Level != tt.wantLevel || !slices.Equal(names, tt.wantPolicies) {
				t.Errorf("GrantsOf(%s) = %v level %d policies %v, want %v level %d policies %v",
					tt.client.Login, g.Roles, g.Level, names, tt.wantRoles, tt.wantLevel, tt.wantPolicies)
			}
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		alice := newClient(t, s, nil, "alice")
		mallory := newClient(t, s, nil, "mallory")
		now := time.Now().UTC().Truncate(time.Second)
		mk := func(hash string) *Session {
			sess := &Session{ClientID: alice.ID, SecretHash: hash, CreatedAt: now, LastSeenAt: now,
				ExpiresAt: now.Add(2 * time.Hour), AbsoluteExpiresAt: now.Add(24 * time.Hour)}
			if err := s.CreateSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
			return sess
		}
		one, two, three := mk("h1"), mk("h2"), mk("h3")

		if got, err := s.LiveSession(ctx, "h1", now); err != nil || got.ID != one.ID {
			t.Fatalf("LiveSession(h1) = %v, %v", got, err)
		}
		if _, err := s.LiveSession(ctx, "h1", now.Add(3*time.Hour)); !errors.Is(err, ErrNotFound) {
			t.Errorf("LiveSession(expired) = %v, want ErrNotFound", err)
		}
		if err := s.TouchSession(ctx, one.ID, now.Add(time.Hour), now.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LiveSession(ctx, "h1", now.Add(150*time.Minute)); err != nil {
			t.Errorf("LiveSession after touch = %v, want the slid session", err)
		}
		if err := s.RevokeSession(ctx, mallory.ID, two.ID, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("RevokeSession(another client's) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeSession(ctx, alice.ID, two.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LiveSession(ctx, "h2", now); !errors.Is(err, ErrNotFound) {
			t.Errorf("LiveSession(revoked) = %v, want ErrNotFound", err)
		}
		if n, err := s.RevokeClientSessions(ctx, alice.ID, three.ID, now); err != nil || n != 1 {
			t.Errorf("RevokeClientSessions(keep three) = %d, %v, want 1", n, err)
		}
		live, err := s.ClientSessions(ctx, alice.ID, now)
		if err != nil || len(live) != 1 || live[0].ID != three.ID {
			t.Errorf("ClientSessions = %v, %v, want only three", live, err)
		}
		if n, err := s.PurgeSessions(ctx, now.Add(time.Second)); err != nil || n != 2 {
			t.Errorf("PurgeSessions = %d, %v, want the 2 revoked", n, err)
		}
	})
}

func TestDeleteClient(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		shop := newClient(t, s, nil, "shop", "business")
		bob := newClient(t, s, &shop.ID, "bob", "customer")
		if err := s.DeleteClient(ctx, shop.ID); !errors.Is(err, ErrInUse) {
			t.Errorf("DeleteClient(business with customers) = %v, want ErrInUse", err)
		}
		if err := s.DeleteClient(ctx, bob.ID); err != nil {
			t.Errorf("DeleteClient(customer) = %v", err)
		}
		if err := s.DeleteClient(ctx, shop.ID); err != nil {
			t.Errorf("DeleteClient(empty business) = %v", err)
		}
		if err := s.DeleteClient(ctx, shop.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteClient(gone) = %v, want ErrNotFound", err)
		}
	})
}
