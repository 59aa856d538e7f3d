package auth

import (
	"errors"
	"testing"
)

// A JWT access token acts for its session while the session lives: a bad
// token is AUTH FAILED, a token whose session was revoked SESSION UNKNOWN.
func testAccessTokens(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	p := f.mustAuthenticate(res.Token)
	jwt, expires, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: homeIP})
	if err != nil || !expires.Equal(f.clock.Add(TokenTTL)) {
		t.Fatalf("IssueToken() = %v expiring %v, want %v", err, expires, f.clock.Add(TokenTTL))
	}
	if got := f.mustAuthenticate(jwt); got.Session.ID != res.Session.ID || got.Account.Login != "shop" {
		t.Errorf("Authenticate(jwt) = session %s of %s, want the login's", got.Session.ID, got.Account.Login)
	}
	if _, err := f.authenticate(jwt[:len(jwt)-2] + "xx"); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("a tampered token = %v, want ErrAuthFailed", err)
	}
	f.use(testConfig()) // no keys: no tokens
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("a token where none are accepted = %v, want ErrAuthFailed", err)
	}
	f.use(cfg)
	if err := f.svc.Sessions.Logout(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("a token of a revoked session = %v, want ErrSessionUnknown", err)
	}
}

// A token asked for with Basic opens a session for it, so that revoking
// the session ends the token.
func testAccessTokenFromBasic(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	p, err := f.basic("shop", "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	jwt, _, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: otherIP})
	if err != nil {
		t.Fatalf("IssueToken(Basic) = %v", err)
	}
	if p.Session != nil {
		t.Error("IssueToken changed the caller's principal")
	}
	byToken := f.mustAuthenticate(jwt)
	if byToken.Session == nil || byToken.Session.IP != otherIP {
		t.Fatalf("the token's principal = %+v, want a new session from %s", byToken.Session, otherIP)
	}
	if err := f.svc.Sessions.Logout(f.ctx, byToken); err != nil {
		t.Fatal(err)
	}
	if _, err := f.authenticate(jwt); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("the token after its session ended = %v, want ErrSessionUnknown", err)
	}
}
