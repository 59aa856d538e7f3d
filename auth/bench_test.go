package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/models"
)

// BenchmarkAuthenticate is the identity core's cost of verifying one call,
// per scheme, against SQLite in memory. The clock stands still, so after
// the first call the principal cache answers once the client's identity
// version is read (one statement), with no write to slide an expiry: the
// steady state of a client calling often. (basic/first is the exception:
// recording the login moves the client's version, so its principal is
// loaded again.)
// The HTTP rate of the same schemes is e2e's BenchmarkAuthenticatedGET.
//
// Passwords are hashed with testHasher's cheap parameters, so basic/first
// (an Identity that remembers no credentials, so every call verifies) is the
// cost around argon2id: the client found, the attempt reserved and the
// success recorded in the store. argon2id at production parameters is
// auth/password's BenchmarkVerifyDefault.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	now := func() time.Time { return start }
	tokens, err := NewTokens([]TokenKey{{ID: "k1", Secret: []byte(strings.Repeat("s", 32))}}, "https://billgate.test", now)
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig()
	cfg.Tokens = tokens
	store := openStore(b, "sqlite::memory:")
	svc := NewIdentity(NewPersister(store), testHasher, cfg, now, discardLog)
	forgetful := cfg
	forgetful.BasicCacheTTL = 0
	verifyEveryCall := NewIdentity(NewPersister(store), testHasher, forgetful, now, discardLog)

	hash, err := testHasher.Hash("pw")
	if err != nil {
		b.Fatal(err)
	}
	if err := store.CreateClient(ctx, &models.Client{Login: "shop", PasswordHash: hash}, "business"); err != nil {
		b.Fatal(err)
	}
	cred := Credentials{Login: "shop", Password: "pw"}
	from := Origin{IP: homeIP}
	login, err := svc.Logins.Login(ctx, cred, from)
	if err != nil {
		b.Fatal(err)
	}
	owner, err := svc.Requests.Token(ctx, login.Token, from)
	if err != nil {
		b.Fatal(err)
	}
	jwt, _, err := svc.AccessTokens.Issue(ctx, owner, from)
	if err != nil {
		b.Fatal(err)
	}
	_, apiKey, err := svc.APIKeys.Create(ctx, owner, NewAPIKey{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	signed, _ := signer(b, svc, owner)

	schemes := []struct {
		name string
		auth func() (*Principal, error)
	}{
		{"session", func() (*Principal, error) { return svc.Requests.Token(ctx, login.Token, from) }},
		{"jwt", func() (*Principal, error) { return svc.Requests.Token(ctx, jwt, from) }},
		{"basic/first", func() (*Principal, error) { return verifyEveryCall.Logins.AuthenticateBasic(ctx, cred, from) }},
		{"basic/repeat", func() (*Principal, error) { return svc.Logins.AuthenticateBasic(ctx, cred, from) }},
		{"api-key", func() (*Principal, error) { return svc.APIKeys.Authenticate(ctx, apiKey, from) }},
		{"signature", func() (*Principal, error) { return svc.SigningKeys.Authenticate(ctx, signed(), from) }},
	}
	for _, s := range schemes {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.auth(); err != nil {
					b.Fatalf("%s: %v", s.name, err)
				}
			}
		})
	}
}
