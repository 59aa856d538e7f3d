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

// idemKey is a test Idempotency-Key first used at createdAt; status 0
// leaves it in progress.
type idemKey struct {
	key       string
	createdAt time.Time
	status    int
}

// create stores k for client as the API would.
func (k idemKey) create(t *testing.T, s *models.Store, client uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	r := models.IdempotentRequest{ClientID: client, Key: k.key, RequestHash: "first", CreatedAt: k.createdAt}
	if _, claimed, err := s.ClaimIdempotencyKey(ctx, r, time.Minute); err != nil || !claimed {
		t.Fatalf("ClaimIdempotencyKey(%q) = %v, %v, want claimed", k.key, claimed, err)
	}
	if k.status != 0 {
		if err := s.CompleteIdempotencyKey(ctx, client, k.key, k.status, "application/json", `{"id":"x"}`); err != nil {
			t.Fatalf("CompleteIdempotencyKey(%q) = %v", k.key, err)
		}
	}
}

// keyExists tells whether the key is still stored: claiming it again
// returns the first request if so. Call it last: a purged key is claimed
// anew.
func keyExists(t *testing.T, s *models.Store, client uuid.UUID, key string) bool {
	t.Helper()
	stored, claimed, err := s.ClaimIdempotencyKey(context.Background(), models.IdempotentRequest{
		ClientID: client, Key: key, RequestHash: "probe", CreatedAt: now}, time.Minute)
	if err != nil {
		t.Fatalf("probe key %q: %v", key, err)
	}
	return !claimed && stored.RequestHash == "first"
}

func TestPurgeIdempotencyKeys(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name      string
		retention time.Duration
		gone      []idemKey
		kept      []idemKey
	}{{
		name:      "default retention",
		retention: 0, // 24 hours: the cutoff is 2026-02-28 12:00
		gone: []idemKey{
			{key: "answered a week ago", createdAt: now.Add(-7 * day), status: 201},
			{key: "answered just past the retention", createdAt: now.Add(-day - time.Second), status: 200},
			{key: "refused two days ago", createdAt: now.Add(-2 * day), status: 409},
			{key: "in progress two days ago, its request died", createdAt: now.Add(-2 * day)},
		},
		kept: []idemKey{
			{key: "answered exactly at the cutoff", createdAt: now.Add(-day), status: 201},
			{key: "answered an hour ago", createdAt: now.Add(-time.Hour), status: 201},
			{key: "in progress now", createdAt: now.Add(-time.Second)},
		},
	}, {
		name:      "one hour retention",
		retention: time.Hour,
		gone: []idemKey{
			{key: "answered two hours ago", createdAt: now.Add(-2 * time.Hour), status: 201},
			{key: "in progress two hours ago", createdAt: now.Add(-2 * time.Hour)},
		},
		kept: []idemKey{
			{key: "answered a minute ago", createdAt: now.Add(-time.Minute), status: 201},
			{key: "in progress a minute ago", createdAt: now.Add(-time.Minute)},
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
				for _, k := range append(append([]idemKey{}, tt.gone...), tt.kept...) {
					k.create(t, s, client.ID)
				}
				a := &Activities{Store: s, Now: func() time.Time { return now }}
				in := PurgeIdempotencyKeysInput{Retention: tt.retention}

				got, err := a.PurgeIdempotencyKeys(ctx, in)
				if err != nil {
					t.Fatalf("PurgeIdempotencyKeys(%+v) error = %v", in, err)
				}
				retention := tt.retention
				if retention == 0 {
					retention = IdempotencyKeyRetention
				}
				want := PurgeIdempotencyKeysResult{Purged: int64(len(tt.gone)), Cutoff: now.Add(-retention)}
				if got != want {
					t.Errorf("PurgeIdempotencyKeys(%+v) = %+v, want %+v", in, got, want)
				}
				// A retry finds nothing left to do.
				if again, err := a.PurgeIdempotencyKeys(ctx, in); err != nil || again.Purged != 0 {
					t.Errorf("PurgeIdempotencyKeys(%+v) again = %+v, %v, want 0 purged", in, again, err)
				}
				for _, k := range tt.kept {
					if !keyExists(t, s, client.ID, k.key) {
						t.Errorf("key %q was purged, want kept", k.key)
					}
				}
				for _, k := range tt.gone {
					if keyExists(t, s, client.ID, k.key) {
						t.Errorf("key %q was kept, want purged", k.key)
					}
				}
			})
		})
	}
}

func TestPurgeIdempotencyKeysRefusesNegativeRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		client := &models.Client{Login: "a", PasswordHash: "x"}
		if err := s.CreateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
		idemKey{key: "in progress now", createdAt: now}.create(t, s, client.ID)
		a := &Activities{Store: s, Now: func() time.Time { return now }}

		_, err := a.PurgeIdempotencyKeys(ctx, PurgeIdempotencyKeysInput{Retention: -2 * time.Hour})

		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != InvalidInputError || !appErr.NonRetryable() {
			t.Fatalf("PurgeIdempotencyKeys(retention -2h) error = %v, want a non-retryable %s", err, InvalidInputError)
		}
		if !keyExists(t, s, client.ID, "in progress now") {
			t.Error("a negative retention purged a key in progress")
		}
	})
}

func TestPurgeIdempotencyKeysWrapsStoreErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		_ = s.Close()
		a := &Activities{Store: s, Now: func() time.Time { return now }}
		_, err := a.PurgeIdempotencyKeys(context.Background(), PurgeIdempotencyKeysInput{})
		if err == nil || !strings.HasPrefix(err.Error(), "purge idempotency keys: ") {
			t.Fatalf("PurgeIdempotencyKeys(closed store) error = %v, want it wrapped as purge idempotency keys: …", err)
		}
	})
}

// The worker registers the struct as it is: the activity runs under the
// SDK, its input and result crossing the data converter.
func TestPurgeIdempotencyKeysAsRegistered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		client := &models.Client{Login: "a", PasswordHash: "x"}
		if err := s.CreateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
		idemKey{key: "answered two days ago", createdAt: now.Add(-48 * time.Hour), status: 201}.create(t, s, client.ID)
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(&Activities{Store: s, Now: func() time.Time { return now }})

		var a *Activities
		val, err := env.ExecuteActivity(a.PurgeIdempotencyKeys, PurgeIdempotencyKeysInput{Retention: IdempotencyKeyRetention})
		if err != nil {
			t.Fatalf("ExecuteActivity(PurgeIdempotencyKeys) error = %v", err)
		}
		var got PurgeIdempotencyKeysResult
		if err := val.Get(&got); err != nil {
			t.Fatal(err)
		}
		if want := (PurgeIdempotencyKeysResult{Purged: 1, Cutoff: now.Add(-IdempotencyKeyRetention)}); !got.Cutoff.Equal(want.Cutoff) || got.Purged != want.Purged {
			t.Errorf("PurgeIdempotencyKeys() = %+v, want %+v", got, want)
		}
	})
}
