package accounts

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// Against the real store: disabling an account through the service revokes
// its session and API key, and enabling it again brings neither back; an
// admin's new password revokes its sessions too.
func TestDisablingRevokesCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, store *models.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		svc := &Service{Store: store.Accounts, Sessions: store.Sessions, Hasher: fakeHasher{}, Trail: store.Audit, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
		admin := &models.Client{Login: "root"}
		shop := &models.Client{Login: "shop"}
		for _, c := range []*models.Client{admin, shop} {
			if err := store.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		give := func() (*models.Session, *models.APIKey) {
			sess := &models.Session{ClientID: shop.ID, SecretHash: uuid.NewString(), CreatedAt: now, LastSeenAt: now,
				ExpiresAt: now.Add(time.Hour), AbsoluteExpiresAt: now.Add(time.Hour)}
			key := &models.APIKey{ID: uuid.Must(uuid.NewV7()), ClientID: shop.ID, Name: "k", SecretHash: uuid.NewString(), CreatedAt: now}
			if err := errors.Join(store.CreateSession(ctx, sess), store.CreateAPIKey(ctx, key, now)); err != nil {
				t.Fatal(err)
			}
			return sess, key
		}
		live := func(sess *models.Session, key *models.APIKey) (bool, bool) {
			_, sessErr := store.LiveSessionByID(ctx, sess.ID, now)
			_, keyErr := store.APIKeyByID(ctx, key.ID, now)
			return sessErr == nil, keyErr == nil
		}
		a := Actor{Caller: tenancy.Caller{ID: admin.ID, Level: models.LevelAdmin}}

		sess, key := give()
		for _, disabled := range []bool{true, false} {
			if _, err := svc.Update(ctx, a, shop.ID, Changes{Disabled: &disabled}); err != nil {
				t.Fatal(err)
			}
		}
		if s, k := live(sess, key); s || k {
			t.Errorf("after disable and enable: session live %v, API key live %v, want neither", s, k)
		}

		sess, key = give()
		if err := svc.SetPassword(ctx, a, shop.ID, "a fresh passphrase"); err != nil {
			t.Fatal(err)
		}
		if s, k := live(sess, key); s || !k {
			t.Errorf("after a new password: session live %v, API key live %v, want the session revoked, the key kept", s, k)
		}
	})
}
