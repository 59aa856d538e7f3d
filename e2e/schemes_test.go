package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/signature"
	"github.com/billgate/billgate/internal/testenv"
)

func basic(login, password string) []string {
	return []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password))}
}

// wantChallenge checks that a 401 names every scheme billgate takes.
func wantChallenge(t *testing.T, what string, r reply) {
	t.Helper()
	got := r.Header.Get("WWW-Authenticate")
	for _, scheme := range []string{"Basic", "Bearer"} {
		if !strings.Contains(got, scheme+` realm="billgate"`) {
			t.Errorf("%s: WWW-Authenticate = %q, want it to name %s", what, got, scheme)
		}
	}
}

// Basic credentials work on every call, with no session: the login's
// answers and lockout, a customer naming its business in a header, and a
// password change or a disable applying at once.
func TestBasicOnEveryCall(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	env.CreateClient(&shop.ID, "alice", goodPassword, "customer")
	env.CreateClient(nil, "root", goodPassword, "admin")
	asShop := basic("shop", goodPassword)

	if r := call(t, env, "POST", "/v1/products", `{"name":"Sold with Basic"}`, asShop...); r.Status != 201 {
		t.Fatalf("POST /v1/products with Basic = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, env, "GET", "/v1/products", "", asShop...); r.Status != 200 || len(r.Results) != 1 {
		t.Errorf("GET /v1/products with Basic = %d, %d products", r.Status, len(r.Results))
	}
	asAlice := append(basic("alice", goodPassword), "Billgate-Tenant", "shop")
	if r := call(t, env, "GET", "/v1/profile", "", asAlice...); r.Status != 200 || r.Result["login"] != "alice" {
		t.Errorf("GET /v1/profile as a customer with Basic = %d %v", r.Status, r.Result)
	}
	call(t, env, "GET", "/v1/profile", "", basic("alice", goodPassword)...).is(t, "a customer without its tenant", 401, "AUTH_FAILED", "AUTH FAILED")

	wrong := call(t, env, "GET", "/v1/products", "", basic("shop", "not the password")...)
	wrong.is(t, "a wrong password", 401, "AUTH_FAILED", "AUTH FAILED")
	wantChallenge(t, "a wrong password", wrong)
	call(t, env, "GET", "/v1/products", "", "Authorization", "Basic !!!").is(t, "malformed Basic", 401, "AUTH_FAILED", "AUTH FAILED")
	if r := call(t, env, "GET", "/v1/products", "", "Authorization", "bAsIc "+strings.TrimPrefix(asShop[1], "Basic ")); r.Status != 200 {
		t.Errorf("a scheme name in another case = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/auth/session", "", asShop...).is(t, "the current session under Basic", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")

	token := call(t, env, "POST", "/auth/token", "", asShop...)
	if token.Status != 200 {
		t.Fatalf("POST /auth/token with Basic = %d %+v", token.Status, token.Errors)
	}
	if r := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token.Result["token"].(string)); r.Status != 200 {
		t.Errorf("GET /auth/session with the token Basic got = %d %+v", r.Status, r.Errors)
	}

	const next = "a brand new passphrase"
	if r := call(t, env, "PUT", "/auth/password", `{"currentPassword":"`+goodPassword+`","newPassword":"`+next+`"}`, asShop...); r.Status != 204 {
		t.Fatalf("PUT /auth/password with Basic = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/products", "", asShop...).is(t, "the old password right after a change", 401, "AUTH_FAILED", "AUTH FAILED")
	asShop = basic("shop", next)
	if r := call(t, env, "GET", "/v1/products", "", asShop...); r.Status != 200 {
		t.Errorf("the new password = %d %+v", r.Status, r.Errors)
	}

	root, _ := login(t, env, creds("root", ""))
	if r := call(t, env, "PATCH", "/v1/clients/"+shop.ID.String(), `{"disabled":true}`, "Authorization", "Bearer "+root); r.Status != 200 {
		t.Fatalf("disable shop = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/products", "", asShop...).is(t, "a disabled account's remembered credentials", 401, "AUTH_FAILED", "AUTH FAILED")
}

// Wrong Basic passwords on calls lock the account as failed logins do.
func TestBasicLockout(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	for range 5 {
		call(t, env, "GET", "/v1/products", "", basic("shop", "guess")...).is(t, "a guess", 401, "AUTH_FAILED", "AUTH FAILED")
	}
	locked := call(t, env, "GET", "/v1/products", "", basic("shop", goodPassword)...)
	if locked.Status != 429 || locked.Header.Get("Retry-After") == "" {
		t.Errorf("the right password once locked = %d (Retry-After %q), want 429 with Retry-After", locked.Status, locked.Header.Get("Retry-After"))
	}
}

// An API key acts for its owner over the custom scheme until it is
// revoked; it may be narrowed to some of the owner's policies, and cannot
// manage keys itself.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))

	created := call(t, env, "POST", "/v1/api-keys", `{"name":"deploys"}`, owner...)
	secret, _ := created.Result["secret"].(string)
	if created.Status != 201 || !strings.HasPrefix(secret, "bgk_") || created.Result["hint"] != secret[len(secret)-4:] {
		t.Fatalf("POST /v1/api-keys = %d %+v %v", created.Status, created.Errors, created.Result)
	}
	id := created.Result["id"].(string)
	if list := call(t, env, "GET", "/v1/api-keys", "", owner...); len(list.Results) != 1 || list.Results[0]["secret"] != nil || list.Results[0]["name"] != "deploys" {
		t.Errorf("GET /v1/api-keys = %d %v, want the key without its secret", list.Status, list.Results)
	}
	asKey := []string{"Authorization", "Plain " + secret}
	if r := call(t, env, "POST", "/v1/products", `{"name":"Made by a key"}`, asKey...); r.Status != 201 {
		t.Errorf("POST /v1/products with the key = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, env, "GET", "/v1/products", "", "Authorization", "pLaIn "+secret); r.Status != 200 {
		t.Errorf("the scheme name in another case = %d %+v", r.Status, r.Errors)
	}
	bad := call(t, env, "GET", "/v1/products", "", "Authorization", "Plain bgk_not-a-key")
	bad.is(t, "an unknown key", 401, "AUTH_FAILED", "AUTH FAILED")
	if !strings.Contains(bad.Header.Get("WWW-Authenticate"), `Plain realm="billgate"`) {
		t.Errorf("WWW-Authenticate = %q, want it to name Plain", bad.Header.Get("WWW-Authenticate"))
	}
	call(t, env, "POST", "/v1/api-keys", `{"name":"successor"}`, asKey...).is(t, "a key making a key", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "GET", "/auth/session", "", asKey...).is(t, "the current session under a key", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")

	call(t, env, "POST", "/v1/api-keys", `{"name":""}`, owner...).is(t, "an empty name", 400, "INVALID", "name must be 1-64 printable characters")
	call(t, env, "POST", "/v1/api-keys", `{"name":"old","expiresAt":"2001-01-01T00:00:00Z"}`, owner...).is(t, "an expiry in the past", 400, "INVALID", "expiresAt must be in the future")
	notHeld := call(t, env, "POST", "/v1/api-keys", `{"name":"greedy","policies":["admin-default"]}`, owner...)
	notHeld.is(t, "a policy the owner lacks", 400, "INVALID", "a key can only be narrowed to policies its owner holds")
	if len(notHeld.Errors) == 1 && notHeld.Errors[0].Field != "policies[0]" {
		t.Errorf("field = %q, want policies[0]", notHeld.Errors[0].Field)
	}
	narrow := call(t, env, "POST", "/v1/api-keys", `{"name":"nothing","policies":[]}`, owner...)
	call(t, env, "GET", "/v1/products", "", "Authorization", "Plain "+narrow.Result["secret"].(string)).
		is(t, "a key narrowed to no policy", 401, "PERMISSION_DENIED", "PERMISSION DENIED")

	token := call(t, env, "POST", "/auth/token", "", asKey...)
	if token.Status != 200 {
		t.Fatalf("POST /auth/token with a key = %d %+v", token.Status, token.Errors)
	}
	byToken := []string{"Authorization", "Bearer " + token.Result["token"].(string)}
	if r := call(t, env, "GET", "/v1/products", "", byToken...); r.Status != 200 {
		t.Errorf("GET /v1/products with the key's token = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, env, "DELETE", "/v1/api-keys/"+id, "", owner...); r.Status != 204 {
		t.Fatalf("DELETE /v1/api-keys/{id} = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/products", "", asKey...).is(t, "a revoked key", 401, "AUTH_FAILED", "AUTH FAILED")
	call(t, env, "GET", "/v1/products", "", byToken...).is(t, "a revoked key's token", 401, "AUTH_FAILED", "AUTH FAILED")
	call(t, env, "DELETE", "/v1/api-keys/"+id, "", owner...).is(t, "revoking twice", 404, "NOT_FOUND", "not found")
}

// The custom scheme's name is configurable; Plain then means nothing.
func TestAPIKeySchemeIsConfigurable(t *testing.T) {
	t.Parallel()
	identity := *testenv.DefaultIdentity()
	identity.APIKeyScheme = "Key"
	env := testenv.Start(t, testenv.Options{Identity: &identity})
	env.CreateClient(nil, "shop", goodPassword, "business")
	secret := call(t, env, "POST", "/v1/api-keys", `{"name":"k"}`, as(t, env, creds("shop", ""))...).Result["secret"].(string)
	if r := call(t, env, "GET", "/v1/products", "", "Authorization", "Key "+secret); r.Status != 200 {
		t.Errorf("the configured scheme = %d %+v", r.Status, r.Errors)
	}
	call(t, env, "GET", "/v1/products", "", "Authorization", "Plain "+secret).is(t, "the default scheme once renamed", 401, "AUTH_FAILED", "AUTH FAILED")
}

// signer signs requests as a client of the Signature scheme would.
type signer struct {
	c              *http.Client
	base           string // the API's URL
	keyID, secret  string
	algorithm      string
	signs          []string    // the header names the signature covers
	extra          http.Header // more headers sent, which signs may name
	now            func() time.Time
	tamperDigest   bool
	tamperTarget   bool
	omitDateHeader bool
}

func (s signer) call(t *testing.T, method, path, body string) reply {
	t.Helper()
	return callAt(t, s.c, s.base, method, path, body, s.headers(t, method, path, body)...)
}

// headers are the Date, Digest and Authorization headers of a request
// signed as s says, as name, value pairs.
func (s signer) headers(t testing.TB, method, path, body string) []string {
	t.Helper()
	h := s.extra.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Host", strings.TrimPrefix(s.base, "http://"))
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	sum := sha256.Sum256([]byte(body))
	h.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	target := path
	if s.tamperTarget {
		target += "?tampered=1"
	}
	p := signature.Params{KeyID: s.keyID, Algorithm: s.algorithm, Headers: s.signs}
	str, err := p.SigningString(method, target, h)
	if err != nil {
		t.Fatal(err)
	}
	if p.Signature, err = signature.Sign(s.algorithm, []byte(s.secret), str); err != nil {
		t.Fatal(err)
	}
	if s.tamperDigest {
		h.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(make([]byte, sha256.Size)))
	}
	pairs := []string{"Authorization", p.Authorization(), "Digest", h.Get("Digest")}
	for name := range s.extra {
		pairs = append(pairs, name, h.Get(name))
	}
	if !s.omitDateHeader {
		pairs = append(pairs, "Date", h.Get("Date"))
	}
	return pairs
}

// HTTP Signatures act for their key's owner; each broken rule alone is
// AUTH FAILED; the secret is never stored in plain text.
func TestSignatures(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	created := call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha256","requiredHeaders":["(request-target)","Digest"]}`, owner...)
	if created.Status != 201 {
		t.Fatalf("POST /v1/signing-keys = %d %+v", created.Status, created.Errors)
	}
	if got := created.Result["requiredHeaders"]; fmt.Sprint(got) != "[date (request-target) digest]" {
		t.Errorf("requiredHeaders = %v, want date first and names lower-cased", got)
	}
	good := signer{c: env.HTTP, base: env.URL, keyID: created.Result["keyId"].(string), secret: created.Result["secret"].(string), algorithm: "hmac-sha256",
		signs: []string{"(request-target)", "host", "date", "digest"}, now: time.Now}

	if r := good.call(t, "POST", "/v1/products?expand=prices", `{"name":"Signed"}`); r.Status != 201 {
		t.Fatalf("a signed POST = %d %+v", r.Status, r.Errors)
	}
	if r := good.call(t, "GET", "/v1/products", ""); r.Status != 200 || len(r.Results) != 1 {
		t.Errorf("a signed GET = %d, %d products", r.Status, len(r.Results))
	}
	if stored, err := env.Store().SigningKeys(context.Background(), shop.ID, time.Now()); err != nil || len(stored) != 1 || strings.Contains(stored[0].SealedSecret, good.secret) {
		t.Errorf("stored keys %+v (%v): want the secret sealed", stored, err)
	}

	refusals := map[string]signer{}
	add := func(name string, change func(*signer)) {
		s := good
		change(&s)
		refusals[name] = s
	}
	add("another algorithm than the key's", func(s *signer) { s.algorithm = "hmac-sha1" })
	add("a required header unsigned", func(s *signer) { s.signs = []string{"(request-target)", "date"} })
	add("a Date 6 minutes old", func(s *signer) { s.now = func() time.Time { return time.Now().Add(-6 * time.Minute) } })
	add("no Date header", func(s *signer) { s.omitDateHeader = true })
	add("a signed digest of another body", func(s *signer) { s.tamperDigest = true })
	add("another target than signed", func(s *signer) { s.tamperTarget = true })
	add("a wrong secret", func(s *signer) { s.secret += "x" })
	add("an unknown key", func(s *signer) { s.keyID = "0190e0a0-0000-7000-8000-000000000000" })
	for name, s := range refusals {
		r := s.call(t, "POST", "/v1/products", `{"name":"Refused"}`)
		r.is(t, name, 401, "AUTH_FAILED", "AUTH FAILED")
		if name == "a wrong secret" && !strings.Contains(r.Header.Get("WWW-Authenticate"), `Signature realm="billgate"`) {
			t.Errorf("WWW-Authenticate = %q, want it to name Signature", r.Header.Get("WWW-Authenticate"))
		}
	}
	call(t, env, "GET", "/v1/products", "", "Authorization", `Signature keyId="x"`).is(t, "a header without a signature", 401, "AUTH_FAILED", "AUTH FAILED")

	good.call(t, "POST", "/v1/products", `{"name":"`+strings.Repeat("x", 2<<20)+`"}`).
		is(t, "a signed body past the limit", 400, "INVALID", "request body is larger than 1 MiB")
	good.call(t, "POST", "/v1/api-keys", `{"name":"escape"}`).is(t, "a signature making an API key", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	good.call(t, "POST", "/auth/token", "").is(t, "a signature asking for a token", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-md5"}`, owner...).is(t, "an unknown algorithm", 400, "INVALID", "algorithm must be hmac-sha256 or hmac-sha1")
	call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha1","requiredHeaders":["x y"]}`, owner...).
		is(t, "a bad header name", 400, "INVALID", "a header name, (request-target), (created) or (expires)")

	if list := call(t, env, "GET", "/v1/signing-keys", "", owner...); len(list.Results) != 1 || list.Results[0]["secret"] != nil {
		t.Errorf("GET /v1/signing-keys = %d %v, want the key without its secret", list.Status, list.Results)
	}
	if r := call(t, env, "DELETE", "/v1/signing-keys/"+good.keyID, "", owner...); r.Status != 204 {
		t.Fatalf("DELETE /v1/signing-keys/{id} = %d %+v", r.Status, r.Errors)
	}
	good.call(t, "GET", "/v1/products", "").is(t, "a revoked key", 401, "AUTH_FAILED", "AUTH FAILED")
}
