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
