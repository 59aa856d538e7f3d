package activities

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// session is a test session that died (or dies) at the given times.
type session struct {
	name    string
	expires time.Time
	revoked time.Time // zero: never revoked
}

// create stores sess for client and returns its ID.
func (sess session) create(t *testing.T, s *models.Store, client uuid.UUID) uuid.UUID {
	t.Helper()
	m := &models.Session{
		ClientID:          client,
		SecretHash:        uuid.NewString(),
		CreatedAt:         sess.expires.Add(-24 * time.Hour),
		LastSeenAt:        sess.expires.Add(-2 * time.Hour),
		ExpiresAt:         sess.expires,
		AbsoluteExpiresAt: sess.expires,
	}
	if !sess.revoked.IsZero() {
		m.RevokedAt = &sess.revoked
	}
	if err := s.CreateSession(context.Background(), m); err != nil {
		t.Fatalf("CreateSession(%s) = %v", sess.name, err)
	}
	return m.ID
}

// exists tells whether the session with this ID is still stored. The store
// has no reader for dead sessions, so it asks the primary key: an ID still
// taken refuses a second insert. Call it last: a purged ID is inserted anew.
func exists(t *testing.T, s *models.Store, client, id uuid.UUID) bool {
	t.Helper()
	err := s.CreateSession(context.Background(), &models.Session{
		ID: id, ClientID: client, SecretHash: uuid.NewString(),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now, AbsoluteExpiresAt: now,
	})
	switch {
	case errors.Is(err, models.ErrConflict):
		return true
	case err == nil:
		return false
	}
	t.Fatalf("probe session %s: %v", id, err)
	return false
}

func TestPurgeSessions(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name      string
		retention time.Duration
		gone      []session
		kept      []session
	}{{
		name:      "default retention",
		retention: 0, // 7 days: the cutoff is 2026-02-22 12:00
		gone: []session{
			{name: "expired long ago", expires: now.Add(-30 * day)},
			{name: "expired just past the retention", expires: now.Add(-7*day - time.Second)},
			{name: "revoked long ago, not yet expired", expires: now.Add(time.Hour), revoked: now.Add(-10 * day)},
			{name: "revoked and expired long ago", expires: now.Add(-20 * day), revoked: now.Add(-21 * day)},
		},
		kept: []session{
			{name: "live", expires: now.Add(time.Hour)},
			{name: "expired recently", expires: now.Add(-day)},
			{name: "expired exactly at the cutoff", expires: now.Add(-7 * day)},
			{name: "revoked recently", expires: now.Add(time.Hour), revoked: now.Add(-day)},
		},
	}, {
		name:      "one day retention",
		retention: day,
		gone: []session{
			{name: "expired two days ago", expires: now.Add(-2 * day)},
			{name: "revoked two days ago", expires: now.Add(time.Hour), revoked: now.Add(-2 * day)},
		},
		kept: []session{
			{name: "live", expires: now.Add(time.Hour)},
			{name: "expired an hour ago", expires: now.Add(-time.Hour)},
			{name: "revoked an hour ago", expires: now.Add(time.Hour), revoked: now.Add(-time.Hour)},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *models.Store) {
				ctx := context.Background()
				client := &models.Client{Login: "a", PasswordHash: "x"}
				if err := s.CreateClient(ctx, client); err != nil {
					t.Fatal(err)
				}
				ids := map[string]uuid.UUID{}
				for _, sess := range append(append([]session{}, tt.gone...), tt.kept...) {
					ids[sess.name] = sess.create(t, s, client.ID)
				}
				a := &Activities{Store: s, Now: func() time.Time { return now }}
				in := PurgeSessionsInput{Retention: tt.retention}

				got, err := a.PurgeSessions(ctx, in)
				if err != nil {
					t.Fatalf("PurgeSessions(%+v) error = %v", in, err)
				}
				retention := tt.retention
				if retention == 0 {
					retention = DefaultSessionRetention
				}
				want := PurgeSessionsResult{Purged: int64(len(tt.gone)), Cutoff: now.Add(-retention)}
				if got != want {
					t.Errorf("PurgeSessions(%+v) = %+v, want %+v", in, got, want)
				}
				// A retry finds nothing left to do.
				if again, err := a.PurgeSessions(ctx, in); err != nil || again.Purged != 0 {
					t.Errorf("PurgeSessions(%+v) again = %+v, %v, want 0 purged", in, again, err)
				}
				for _, sess := range tt.kept {
					if !exists(t, s, client.ID, ids[sess.name]) {
						t.Errorf("session %q was purged, want kept", sess.name)
					}
				}
				for _, sess := range tt.gone {
					if exists(t, s, client.ID, ids[sess.name]) {
						t.Errorf("session %q was kept, want purged", sess.name)
					}
				}
			})
		})
	}
}

func TestPurgeSessionsRefusesNegativeRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		client := &models.Client{Login: "a", PasswordHash: "x"}
		if err := s.CreateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
		live := session{name: "live", expires: now.Add(time.Hour)}.create(t, s, client.ID)
		a := &Activities{Store: s, Now: func() time.Time { return now }}

		_, err := a.PurgeSessions(ctx, PurgeSessionsInput{Retention: -2 * time.Hour})

		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != InvalidInputError || !appErr.NonRetryable() {
			t.Fatalf("PurgeSessions(retention -2h) error = %v, want a non-retryable %s", err, InvalidInputError)
		}
		if !exists(t, s, client.ID, live) {
			t.Error("a negative retention purged a live session")
		}
	})
}

func TestPurgeSessionsWrapsStoreErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		_ = s.Close()
		a := &Activities{Store: s, Now: func() time.Time { return now }}
		_, err := a.PurgeSessions(context.Background(), PurgeSessionsInput{})
		if err == nil || !strings.HasPrefix(err.Error(), "purge sessions: ") {
			t.Fatalf("PurgeSessions(closed store) error = %v, want it wrapped as purge sessions: …", err)
		}
	})
}

// The worker registers the struct as it is: the activity runs under the
// SDK, its input and result crossing the data converter.
func TestPurgeSessionsAsRegistered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(&Activities{Store: s, Now: func() time.Time { return now }})

		var a *Activities
		val, err := env.ExecuteActivity(a.PurgeSessions, PurgeSessionsInput{Retention: time.Hour})
		if err != nil {
			t.Fatalf("ExecuteActivity(PurgeSessions) error = %v", err)
		}
		var got PurgeSessionsResult
		if err := val.Get(&got); err != nil {
			t.Fatal(err)
		}
		if want := (PurgeSessionsResult{Cutoff: now.Add(-time.Hour)}); !got.Cutoff.Equal(want.Cutoff) || got.Purged != 0 {
			t.Errorf("PurgeSessions() = %+v, want %+v", got, want)
		}
	})
}
