package auth

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func (f *fixture) sessionPrincipal(login string) *Principal {
	f.t.Helper()
	return f.mustAuthenticate(f.mustLogin(login, "pw", "").Token)
}

func (f *fixture) byKey(secret string) (*Principal, error) {
	return f.svc.APIKeys.Authenticate(f.ctx, secret, Origin{IP: otherIP})
}

// An API key acts for its owner until it is revoked or expires, or the
// owner is disabled; a key cannot manage keys; its JWT dies with it.
func testAPIKeys(t *testing.T, f *fixture) {
	cfg := f.tokenConfig()
	f.use(cfg)
	shop := f.client(nil, "shop", "pw", "business")
	owner := f.sessionPrincipal("shop")
	expires := f.clock.Add(24 * time.Hour)
	key, secret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "deploys", ExpiresAt: &expires})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := ParseAPIKeySecret(secret); !ok || id != key.ID || key.SecretHash != HashToken(secret) || key.Hint != secret[len(secret)-4:] {
		t.Fatalf("CreateAPIKey() = %+v with secret %q: want the ID inside it, its hash and hint stored", key, secret)
	}
	p, err := f.byKey(secret)
	if err != nil || p.Account.ID != shop.ID || p.Session != nil || p.APIKey == nil || p.APIKey.ID != key.ID || !p.Can("products:create") {
		t.Fatalf("AuthenticateAPIKey() = %+v, %v, want shop's principal through the key", p, err)
	}
	if k, _ := f.store.APIKeyByID(f.ctx, key.ID, f.clock); k.LastUsedAt == nil || !k.LastUsedAt.Equal(f.clock) {
		t.Errorf("last used at = %v, want %v", k.LastUsedAt, f.clock)
	}

	forged := secret[:len(secret)-1] + map[bool]string{true: "A", false: "B"}[secret[len(secret)-1] != 'A']
	for name, bad := range map[string]string{"a forged secret": forged, "garbage": "bgk_nope", "a session secret": f.mustLogin("shop", "pw", "").Token} {
		if _, err := f.byKey(bad); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("AuthenticateAPIKey(%s) = %v, want ErrAuthFailed", name, err)
		}
	}
	if _, _, err := f.svc.APIKeys.Create(f.ctx, p, NewAPIKey{Name: "successor"}); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("CreateAPIKey(by a key) = %v, want ErrPermissionDenied", err)
	}
	if err := f.svc.APIKeys.Revoke(f.ctx, p, key.ID); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("RevokeAPIKey(by a key) = %v, want ErrPermissionDenied", err)
	}
	_, revokeAll := f.svc.Sessions.RevokeAll(f.ctx, p, false)
	_, extend := f.svc.Sessions.Extend(f.ctx, p, f.clock.Add(time.Hour))
	for name, err := range map[string]error{
		"Logout": f.svc.Sessions.Logout(f.ctx, p), "RevokeSession": f.svc.Sessions.Revoke(f.ctx, p, owner.SessionID()),
		"RevokeSessions": revokeAll, "ExtendSession": extend, "ChangePassword": f.svc.Logins.ChangePassword(f.ctx, p, "pw", "a new password long enough"),
	} {
		if !errors.Is(err, ErrPermissionDenied) {
			t.Errorf("%s(by a key) = %v, want ErrPermissionDenied", name, err)
		}
	}
	if _, err := f.store.LiveSessionByID(f.ctx, owner.SessionID(), f.clock); err != nil {
		t.Errorf("the owner's session after the key's attempts = %v, want it live", err)
	}

	jwt, tokenExpires, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: otherIP})
	if err != nil || !tokenExpires.Equal(f.clock.Add(TokenTTL)) {
		t.Fatalf("IssueToken(key) = %v expiring %v", err, tokenExpires)
	}
	if byToken := f.mustAuthenticate(jwt); byToken.APIKey == nil || byToken.APIKey.ID != key.ID || byToken.Session != nil {
		t.Errorf("the key's token acts as %+v, want the key", byToken)
	}

	f.run("expiry", func(t *testing.T) {
		f.advance(24 * time.Hour)
		if _, err := f.byKey(secret); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("an expired key = %v, want ErrAuthFailed", err)
		}
		f.advance(-24 * time.Hour)
	})
	f.run("revoke", func(t *testing.T) {
		if err := f.svc.APIKeys.Revoke(f.ctx, owner, key.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.byKey(secret); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a revoked key = %v, want ErrAuthFailed", err)
		}
		if _, err := f.authenticate(jwt); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a revoked key's token = %v, want ErrAuthFailed", err)
		}
		if keys, err := f.svc.APIKeys.List(f.ctx, owner); err != nil || len(keys) != 0 {
			t.Errorf("APIKeys() after revoking = %+v, %v, want none", keys, err)
		}
	})
	f.run("disabled owner", func(t *testing.T) {
		_, other, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		f.mustAuthenticateKey(other)
		if err := f.store.SetDisabled(f.ctx, shop.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.byKey(other); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a disabled owner's key = %v, want ErrAuthFailed", err)
		}
	})
}

func (f *fixture) mustAuthenticateKey(secret string) *Principal {
	f.t.Helper()
	p, err := f.byKey(secret)
	if err != nil {
		f.t.Fatalf("AuthenticateAPIKey() = %v", err)
	}
	return p
}

// A key narrowed to some of its owner's policies is allowed only what they
// allow, and loses a policy when its owner does.
func testAPIKeyNarrowing(t *testing.T, f *fixture) {
	f.client(nil, "root", "pw", "admin", "customer")
	owner := f.sessionPrincipal("root")
	if !slices.Equal(owner.PolicyNames, []string{"admin-default", "customer-default"}) {
		t.Fatalf("PolicyNames = %v", owner.PolicyNames)
	}
	_, narrowSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "narrow", Policies: []string{"customer-default"}})
	if err != nil {
		t.Fatal(err)
	}
	_, noneSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "none", Policies: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, fullSecret, err := f.svc.APIKeys.Create(f.ctx, owner, NewAPIKey{Name: "full"})
	if err != nil {
		t.Fatal(err)
	}
	narrow, none, full := f.mustAuthenticateKey(narrowSecret), f.mustAuthenticateKey(noneSecret), f.mustAuthenticateKey(fullSecret)
	if !full.Can("roles:create") || narrow.Can("roles:create") || !narrow.Can("products:read") || none.Can("products:read") {
		t.Errorf("full key roles:create %v (want true), narrowed roles:create %v (want false) products:read %v (want true), empty key products:read %v (want false)",
			full.Can("roles:create"), narrow.Can("roles:create"), narrow.Can("products:read"), none.Can("products:read"))
	}
	if !slices.Equal(narrow.PolicyNames, []string{"customer-default"}) {
		t.Errorf("narrowed PolicyNames = %v", narrow.PolicyNames)
	}
	if err := f.store.SetRoles(f.ctx, owner.Account.ID, []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	if narrow := f.mustAuthenticateKey(narrowSecret); narrow.Can("products:read") || len(narrow.PolicyNames) != 0 {
		t.Errorf("a key narrowed to a policy its owner lost still has %v", narrow.PolicyNames)
	}
}
