package e2e

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/billgate/billgate/internal/testenv"
)

// A session's JWT access token authenticates like the session, dies with
// it, and a token that does not verify is AUTH FAILED.
func TestAccessTokens(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	secret, _ := login(t, env, creds("shop", ""))
	session := []string{"Authorization", "Bearer " + secret}

	r := call(t, env, "POST", "/auth/token", "", session...)
	if r.Status != 200 || r.Result["tokenType"] != "Bearer" || !strings.HasPrefix(r.Result["token"].(string), "eyJ") {
		t.Fatalf("POST /auth/token = %d %+v %v", r.Status, r.Errors, r.Result)
	}
	token := r.Result["token"].(string)
	bearer := []string{"Authorization", "Bearer " + token}
	if me := call(t, env, "GET", "/auth/session", "", bearer...); me.Status != 200 || me.Result["client"].(map[string]any)["login"] != "shop" {
		t.Errorf("GET /auth/session with the JWT = %d %v", me.Status, me.Result)
	}
	if p := call(t, env, "POST", "/v1/products", `{"name":"With a token"}`, bearer...); p.Status != 201 {
		t.Errorf("POST /v1/products with the JWT = %d %+v", p.Status, p.Errors)
	}

	tampered := token[:len(token)-4] + "AAAA"
	if strings.HasSuffix(token, "AAAA") {
		tampered = token[:len(token)-4] + "BBBB"
	}
	refused := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+tampered)
	refused.is(t, "a tampered token", 401, "AUTH_FAILED", "AUTH FAILED")
	wantChallenge(t, "a tampered token", refused)
	other := call(t, env, "GET", "/v1/products", "", "Authorization", "Digest username=shop")
	other.is(t, "an unknown scheme", 401, "AUTH_FAILED", "AUTH FAILED")
	if other.Header.Get("WWW-Authenticate") == "" {
		t.Error("an unknown scheme's 401 names no scheme")
	}
	if r := call(t, env, "POST", "/auth/session", `{"login":"shop","password":"wrong password!"}`); r.Header.Get("WWW-Authenticate") != `Basic realm="billgate"` {
		t.Errorf("a failed login's WWW-Authenticate = %q, want the Basic challenge", r.Header.Get("WWW-Authenticate"))
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.").is(t, "alg none", 401, "AUTH_FAILED", "AUTH FAILED")

	if r := call(t, env, "DELETE", "/auth/session", "", session...); r.Status != 204 {
		t.Fatalf("log out = %d", r.Status)
	}
	call(t, env, "GET", "/auth/session", "", bearer...).is(t, "the token of a revoked session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}

// With an EdDSA key, access tokens are signed EdDSA and another service can
// verify them with the key published at /.well-known/jwks.json alone.
func TestEdDSAAccessTokensVerifyWithTheJWKS(t *testing.T) {
	t.Parallel()
	identity := *testenv.DefaultIdentity()
	identity.JWTKeys = "ed-1=ed25519:" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", ed25519.SeedSize)))
	env := testenv.Start(t, testenv.Options{Identity: &identity})
	env.CreateClient(nil, "shop", goodPassword, "business")
	secret, _ := login(t, env, creds("shop", ""))
	token := call(t, env, "POST", "/auth/token", "", "Authorization", "Bearer "+secret).Result["token"].(string)
	if me := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token); me.Status != 200 {
		t.Fatalf("GET /auth/session with an EdDSA token = %d %+v", me.Status, me.Errors)
	}

	resp := env.Get("/.well-known/jwks.json")
	var set struct {
		Keys []struct{ Kid, Kty, Crv, X, Alg string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /.well-known/jwks.json = %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0].Kid != "ed-1" || set.Keys[0].Alg != "EdDSA" {
		t.Fatalf("JWKS = %+v, want the one EdDSA key", set.Keys)
	}
	pub, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].X)
	dot := strings.LastIndex(token, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if !ed25519.Verify(pub, []byte(token[:dot]), sig) {
		t.Error("the published key does not verify the token")
	}
}

// Every Bearer refusal the issue names, with tokens forged under the
// configured key: each is AUTH FAILED, while the same claims well signed
// pass, so only the one flaw is refused.
func TestBearerRefusals(t *testing.T) {
	t.Parallel()
	secret := []byte(strings.Repeat("k", 32))
	identity := *testenv.DefaultIdentity()
	identity.JWTKeys = "k1=" + base64.StdEncoding.EncodeToString(secret)
	env := testenv.Start(t, testenv.Options{Identity: &identity})
	env.CreateClient(nil, "shop", goodPassword, "business")
	session, _ := login(t, env, creds("shop", ""))
	issued := call(t, env, "POST", "/auth/token", "", "Authorization", "Bearer "+session).Result["token"].(string)
	var claims jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(issued, &claims); err != nil {
		t.Fatal(err)
	}
	forge := func(method jwt.SigningMethod, key any, kid string, change func(jwt.MapClaims)) string {
		c := jwt.MapClaims{}
		for k, v := range claims {
			c[k] = v
		}
		if change != nil {
			change(c)
		}
		tok := jwt.NewWithClaims(method, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	now := time.Now()
	if r := call(t, env, "GET", "/v1/profile", "", "Authorization", "Bearer "+forge(jwt.SigningMethodHS256, secret, "k1", nil)); r.Status != 200 {
		t.Fatalf("the issued claims, signed again = %d %+v", r.Status, r.Errors)
	}
	noneToken, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, token := range map[string]string{
		"alg none":            noneToken,
		"a swapped algorithm": forge(jwt.SigningMethodHS384, secret, "k1", nil),
		"no exp":              forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { delete(c, "exp") }),
		"an expired exp":      forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }),
		"a future nbf":        forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }),
		"an unknown kid":      forge(jwt.SigningMethodHS256, secret, "k2", nil),
		"another key":         forge(jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "k1", nil),
		"another issuer":      forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { c["iss"] = "https://evil.test" }),
		"another audience":    forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { c["aud"] = "payments" }),
		"another subject":     forge(jwt.SigningMethodHS256, secret, "k1", func(c jwt.MapClaims) { c["sub"] = "0190e0a0-0000-7000-8000-000000000000" }),
	} {
		call(t, env, "GET", "/v1/profile", "", "Authorization", "Bearer "+token).is(t, name, 401, "AUTH_FAILED", "AUTH FAILED")
	}
	call(t, env, "DELETE", "/auth/session", "", "Authorization", "Bearer "+session)
	call(t, env, "GET", "/v1/profile", "", "Authorization", "Bearer "+issued).is(t, "a revoked sid", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}
