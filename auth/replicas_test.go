package auth

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/auth/signature"
)

// replicas are two Identities over the fixture's store, as two API
// processes behind a load balancer are: one master key, no memory shared.
func (f *fixture) replicas(cfg Config) (a, b *Identity) {
	f.t.Helper()
	box, err := sealed.New([]sealed.Key{sealed.RandomKey("shared")})
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.Secrets = box
	return f.service(cfg), f.service(cfg)
}

// A signature one replica accepted is a replay on the other while its Date
// is within the skew: the same change is taken once by the deployment, and
// a legacy signature first seen on a read authorises no change anywhere.
func testReplicasShareSeenSignatures(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	a, b := f.replicas(testConfig())
	owner := f.sessionPrincipal("shop")
	newKey := func(legacy bool) (string, string) {
		k, secret, err := a.SigningKeys.Create(f.ctx, owner, NewSigningKey{Name: "k", Algorithm: signature.HMACSHA256, LegacyDateOnly: legacy})
		if err != nil {
			t.Fatal(err)
		}
		return k.ID.String(), secret
	}
	check := func(on *Identity, req SignedRequest) error {
		_, err := on.SigningKeys.Authenticate(f.ctx, req, Origin{IP: otherIP})
		return err
	}
	header := func() http.Header {
		return http.Header{"Date": {f.clock.Format(http.TimeFormat)}, "Host": {"billgate.test"}}
	}

	keyID, secret := newKey(false)
	post := signedRequest(t, keyID, secret, signature.HMACSHA256, []string{"(request-target)", "host", "date"}, "POST", "/v1/products", header(), nil)
	if err := check(a, post); err != nil {
		t.Fatalf("a signed POST on replica a = %v, want ok", err)
	}
	f.advance(DefaultSignatureSkew) // the Date's last moment within the skew
	if err := check(b, post); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("the same signed POST on replica b at the skew's end = %v, want ErrAuthFailed", err)
	}

	legacyID, legacySecret := newKey(true)
	read := signedRequest(t, legacyID, legacySecret, signature.HMACSHA256, []string{"date"}, "GET", "/v1/profile", header(), nil)
	if err := check(a, read); err != nil {
		t.Fatalf("a legacy signed read on replica a = %v, want ok", err)
	}
	change := read
	change.Method, change.Target = "DELETE", "/auth/sessions"
	if err := check(b, change); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("the read's legacy signature replayed as DELETE /auth/sessions on replica b = %v, want ErrAuthFailed", err)
	}
	if err := check(b, read); err != nil {
		t.Errorf("the same read on replica b = %v, want ok: a read may repeat", err)
	}
}

// Failed logins from one address, spread over two replicas, spend one
// budget: the 21st attempt is refused on either, the right password too.
func testReplicasSharePerIPLimit(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.IPFailureBurst, cfg.IPFailureEvery = 20, 30*time.Second
	a, b := f.replicas(cfg)
	f.client(nil, "shop", "right", "business")
	login := func(on *Identity, name, pw string) error {
		_, err := on.Logins.Login(f.ctx, Credentials{Login: name, Password: pw}, Origin{IP: homeIP})
		return err
	}
	for i := range 20 {
		on := []*Identity{a, b}[i%2]
		if err := login(on, fmt.Sprintf("ghost%d", i), "wrong"); !errors.Is(err, ErrAuthFailed) { // one account each: no lockout
			t.Fatalf("failure %d = %v, want ErrAuthFailed", i+1, err)
		}
	}
	var locked *LockedError
	for name, on := range map[string]*Identity{"a": a, "b": b} {
		if err := login(on, "shop", "right"); !errors.As(err, &locked) || !locked.Until.Equal(f.clock.Add(30*time.Second)) {
			t.Errorf("the right password on replica %s after 20 failures over both = %v, want *LockedError until now + 30s", name, err)
		}
	}
	f.advance(30 * time.Second)
	if err := login(b, "shop", "right"); err != nil {
		t.Errorf("the right password on replica b once a failure refilled = %v, want a session", err)
	}
}
