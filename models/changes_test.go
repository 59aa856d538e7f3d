package models

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/internal/dbtest"
)

func TestIdentityChangesReachSubscribers(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		got := make(chan IdentityChange, 10)
		s.OnIdentityChange(func(c IdentityChange) { got <- c })
		alice := newClient(t, s, nil, "alice")
		if err := s.SetDisabled(context.Background(), alice.ID, true); err != nil {
			t.Fatal(err)
		}
		if c := <-got; c.ClientID != alice.ID {
			t.Errorf("change = %v, want alice's", c)
		}
	})
}

// Another process's change arrives through Postgres NOTIFY.
func TestIdentityChangesCrossProcesses(t *testing.T) {
	dsn := dbtest.Postgres(t)
	if dsn == "" {
		t.Skip("set TEST_DATABASE_URL: only Postgres carries changes between processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	writer, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if _, err := writer.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reader, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	got := make(chan IdentityChange, 10)
	reader.OnIdentityChange(func(c IdentityChange) { got <- c })
	go reader.Listen(ctx)

	alice := newClient(t, writer, nil, "alice")
	// The listener may not be connected yet: repeat the change until it is heard.
	for {
		if err := writer.SetDisabled(ctx, alice.ID, true); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-got:
			if c.ClientID != alice.ID && c.ClientID != uuid.Nil {
				t.Fatalf("change = %v, want alice's", c)
			}
			if c.ClientID == alice.ID {
				return
			}
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("no change arrived from the other store")
		}
	}
}

// Every identity change moves a version in its own transaction: the
// client's, or everyone's for a role or policy edit. A change that fails
// moves none.
func TestIdentityVersions(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
		alice := newClient(t, s, nil, "alice", "business")
		bob := newClient(t, s, nil, "bob", "business")
		version := func(id uuid.UUID) IdentityVersion {
			t.Helper()
			vs, err := s.IdentityVersions(ctx, []uuid.UUID{id, uuid.New()})
			if _, ok := vs[id]; err != nil || !ok {
				t.Fatalf("IdentityVersions() = %v, %v", vs, err)
			}
			return vs[id]
		}
		if v := version(alice.ID); v != (IdentityVersion{}) {
			t.Fatalf("IdentityVersions() of a client never changed = %+v, want zeros", v)
		}
		sessions := make([]*Session, 3)
		for i := range sessions {
			sessions[i] = &Session{ClientID: alice.ID, SecretHash: uuid.NewString(), CreatedAt: now, LastSeenAt: now,
				ExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(time.Hour)}
			if err := s.CreateSession(ctx, sessions[i]); err != nil {
				t.Fatal(err)
			}
		}
		key := newKey(alice.ID, "key", nil, now)
		if err := s.CreateAPIKey(ctx, key, now); err != nil {
			t.Fatal(err)
		}
		policies, err := s.Policies(ctx)
		if err != nil || len(policies) == 0 {
			t.Fatalf("Policies() = %v, %v", policies, err)
		}
		roles, err := s.Roles.Roles(ctx)
		if err != nil || len(roles) == 0 {
			t.Fatalf("Roles() = %v, %v", roles, err)
		}
		unknown := uuid.New()

		tests := []struct {
			name           string
			change         func() error
			client, others int64 // how far alice's and everyone's versions move
		}{
			{"SetRoles", func() error { return s.SetRoles(ctx, alice.ID, []string{"customer"}) }, 1, 0},
			{"SetRoles(unknown role)", func() error { return s.SetRoles(ctx, alice.ID, []string{"wizard"}) }, 0, 0},
			{"SetPassword", func() error { return s.SetPassword(ctx, alice.ID, "y", now) }, 1, 0},
			{"UpdateClient", func() error {
				_, err := s.UpdateClient(ctx, alice.ID, ClientChanges{DisplayName: new("Alice")}, now)
				return err
			}, 1, 0},
			{"UpdateClient(unknown)", func() error {
				_, err := s.UpdateClient(ctx, unknown, ClientChanges{DisplayName: new("Nobody")}, now)
				return err
			}, 0, 0},
			{"SetSessionExpiry", func() error { return s.SetSessionExpiry(ctx, alice.ID, sessions[0].ID, now.Add(time.Minute)) }, 1, 0},
			{"RevokeSession", func() error { return s.RevokeSession(ctx, alice.ID, sessions[0].ID, now) }, 1, 0},
			{"RevokeSession(already revoked)", func() error { return s.RevokeSession(ctx, alice.ID, sessions[0].ID, now) }, 0, 0},
			{"RevokeClientSessions", func() error {
				_, err := s.RevokeClientSessions(ctx, alice.ID, sessions[1].ID, now)
				return err
			}, 1, 0},
			{"RevokeAPIKey", func() error { return s.RevokeAPIKey(ctx, alice.ID, key.ID, now) }, 1, 0},
			{"RecordLoginFailure", func() error { return s.RecordLoginFailure(ctx, alice.ID, now) }, 1, 0},
			{"RecordLoginSuccess", func() error { return s.RecordLoginSuccess(ctx, alice.ID, SourceOf(alice, "192.0.2.1"), now, "") }, 1, 0},
			{"UpdatePolicy", func() error { p := policies[0]; p.UpdatedAt = now; return s.UpdatePolicy(ctx, &p) }, 0, 1},
			{"UpdatePolicy(unknown)", func() error { return s.UpdatePolicy(ctx, &Policy{ID: unknown, Statements: "[]"}) }, 0, 0},
			{"UpdateRole", func() error { r := roles[0].Role; r.UpdatedAt = now; return s.UpdateRole(ctx, &r, nil) }, 0, 1},
			{"SetDisabled", func() error { return s.SetDisabled(ctx, alice.ID, true) }, 1, 0},
			{"DeleteClient", func() error { return s.DeleteClient(ctx, alice.ID) }, 1, 0},
		}
		for _, tt := range tests {
			before, bobBefore := version(alice.ID), version(bob.ID)
			err := tt.change()
			if failed := err != nil; failed != (tt.client+tt.others == 0) {
				t.Errorf("%s = %v", tt.name, err)
			}
			after, bobAfter := version(alice.ID), version(bob.ID)
			if after.Client-before.Client != tt.client || after.Everyone-before.Everyone != tt.others || bobAfter.Client != bobBefore.Client {
				t.Errorf("%s moved alice's version %+v to %+v and bob's %+v to %+v, want alice's client version +%d, everyone's +%d, bob's unmoved",
					tt.name, before, after, bobBefore, bobAfter, tt.client, tt.others)
			}
		}
	})
}
