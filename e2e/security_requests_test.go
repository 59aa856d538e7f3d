package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/testenv"
)

// newSigner makes a signing key for the session in owner from body and a
// signer over signs with it.
func newSigner(t *testing.T, env *testenv.Env, owner []string, body string, signs ...string) signer {
	t.Helper()
	created := call(t, env, "POST", "/v1/signing-keys", body, owner...)
	if created.Status != 201 {
		t.Fatalf("POST /v1/signing-keys %s = %d %+v", body, created.Status, created.Errors)
	}
	return signer{c: env.HTTP, base: env.URL, keyID: created.Result["keyId"].(string), secret: created.Result["secret"].(string),
		algorithm: "hmac-sha256", signs: signs, now: time.Now}
}

// Finding 4: a signature binds the request it was made for. By default it
// must cover the route, the host, the date and the body's digest, so a
// captured one replays onto nothing; the very same change is taken once.
// A key created as legacy date-only still takes the seed's date-only
// signatures, once each.
func TestFinding4SignaturesBindTheirRequest(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	refused := func(r reply, what string) { r.is(t, what, 401, "AUTH_FAILED", "AUTH FAILED") }

	dateOnly := newSigner(t, env, owner, `{"algorithm":"hmac-sha256"}`, "date")
	captured := dateOnly.headers(t, "GET", "/v1/profile", "")
	refused(call(t, env, "GET", "/v1/profile", "", captured...), "a default key's signature over the date alone")
	refused(call(t, env, "DELETE", "/auth/sessions", "", captured...), "a date-only GET /v1/profile replayed as DELETE /auth/sessions")
	refused(call(t, env, "POST", "/v1/products", `{"name":"Replayed"}`, captured...), "a date-only GET /v1/profile replayed as POST /v1/products")

	full := dateOnly
	full.signs = []string{"(request-target)", "host", "date"}
	captured = full.headers(t, "GET", "/v1/profile", "")
	if r := call(t, env, "GET", "/v1/profile", "", captured...); r.Status != 200 {
		t.Fatalf("a signature over (request-target) host date = %d %+v", r.Status, r.Errors)
	}
	if r := call(t, env, "GET", "/v1/profile", "", captured...); r.Status != 200 {
		t.Errorf("the same signed read a second time = %d %+v, want 200: a read changes nothing", r.Status, r.Errors)
	}
	refused(call(t, env, "DELETE", "/auth/sessions", "", captured...), "a signed GET /v1/profile replayed as DELETE /auth/sessions")
	refused(call(t, env, "POST", "/v1/products", `{"name":"Replayed"}`, captured...), "a signed GET /v1/profile replayed as POST /v1/products")

	noHost := dateOnly
	noHost.signs = []string{"(request-target)", "date"}
	refused(noHost.call(t, "GET", "/v1/products", ""), "a signature without host")
	refused(full.call(t, "POST", "/v1/products", `{"name":"Unbound body"}`), "a body whose digest is not signed")
	withDigest := dateOnly
	withDigest.signs = []string{"(request-target)", "host", "date", "digest"}
	post := withDigest.headers(t, "POST", "/v1/products", `{"name":"Signed"}`)
	if r := call(t, env, "POST", "/v1/products", `{"name":"Signed"}`, post...); r.Status != 201 {
		t.Errorf("a signed POST with its digest = %d %+v", r.Status, r.Errors)
	}
	refused(call(t, env, "POST", "/v1/products", `{"name":"Signed"}`, post...), "the same signed POST a second time")

	legacy := newSigner(t, env, owner, `{"algorithm":"hmac-sha256","legacyDateOnly":true}`, "date")
	captured = legacy.headers(t, "GET", "/v1/profile", "")
	if r := call(t, env, "GET", "/v1/profile", "", captured...); r.Status != 200 {
		t.Fatalf("a legacy date-only key's date-only signature = %d %+v", r.Status, r.Errors)
	}
	refused(call(t, env, "DELETE", "/auth/sessions", "", captured...), "a legacy signature replayed as DELETE /auth/sessions")
	if list := call(t, env, "GET", "/v1/signing-keys", "", owner...); len(list.Results) != 2 ||
		list.Results[0]["legacyDateOnly"] != false || list.Results[1]["legacyDateOnly"] != true {
		t.Errorf("GET /v1/signing-keys = %v, want legacyDateOnly false then true", list.Results)
	}
	call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha256","legacyDateOnly":"yes"}`, owner...).
		is(t, "legacyDateOnly not a boolean", 400, "INVALID", "must be a boolean, not JSON string")
}

// Finding 9: keys that encoding/json would take for the same field, by
// case or by Unicode folding (ſ is s, K is k), are refused as repeats.
func TestFinding9FoldedDuplicateKeysAreRefused(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	if r := call(t, env, "PATCH", "/v1/profile", `{"displayName":"first"}`, owner...); r.Status != 200 {
		t.Fatalf("PATCH /v1/profile = %d %+v", r.Status, r.Errors)
	}
	for _, body := range []string{
		`{"displayName":"first","diſplayName":"second"}`,
		`{"diſplayName":"second","displayName":"first"}`,
		`{"displayName":"first","DISPLAYNAME":"second"}`,
	} {
		r := call(t, env, "PATCH", "/v1/profile", body, owner...)
		r.is(t, body, 400, "INVALID", "the key appears twice in its object")
		if len(r.Errors) == 1 && !strings.EqualFold(r.Errors[0].Field, "displayName") {
			t.Errorf("%s: field = %q, want the repeated key", body, r.Errors[0].Field)
		}
	}
	if got := call(t, env, "GET", "/v1/profile", "", owner...).Result["displayName"]; got != "first" {
		t.Errorf("displayName = %v, want first", got)
	}
}

// Finding 10: every answer tells browsers not to sniff, frame or leak it;
// the HTML pages carry a Content-Security-Policy that lets through only
// what they load.
func TestFinding10SecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	wantCommon := func(what string, h http.Header) {
		t.Helper()
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", what, name, got, want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy = %q, want frame-ancestors 'none'", what, csp)
		}
	}
	profile := call(t, s.env, "GET", "/v1/profile", "", s.bob...)
	wantCommon("GET /v1/profile", profile.Header)
	if csp := profile.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("JSON Content-Security-Policy = %q, want default-src 'none'", csp)
	}
	wantCommon("an unknown route", call(t, s.env, "GET", "/nowhere", "").Header)

	r := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"quantity":1,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, s.pdf), s.bob...)
	if r.Status != 201 {
		t.Fatalf("purchase = %d %+v", r.Status, r.Errors)
	}
	var approval string
	waitFor(t, "the approval URL", func() bool {
		approval, _ = call(t, s.env, "GET", "/v1/payments/"+r.Result["id"].(string), "", s.bob...).Result["approvalUrl"].(string)
		return approval != ""
	})
	page := s.env.Get(strings.TrimPrefix(approval, s.env.URL))
	html := body(t, page)
	if page.StatusCode != 200 {
		t.Fatalf("approval page = %d", page.StatusCode)
	}
	wantCommon("the approval page", page.Header)
	csp := page.Header.Get("Content-Security-Policy")
	_, style, _ := strings.Cut(html, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	sum := sha256.Sum256([]byte(style))
	for _, want := range []string{"default-src 'none'", "form-action 'self'", "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("approval page Content-Security-Policy = %q, want %s", csp, want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("the approval page has a script; its CSP allows none")
	}

	docs := s.env.Get("/docs/index.html")
	if body(t, docs); docs.StatusCode != 200 {
		t.Fatalf("GET /docs/index.html = %d", docs.StatusCode)
	}
	wantCommon("/docs", docs.Header)
	if csp := docs.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe") {
		t.Errorf("/docs Content-Security-Policy = %q, want scripts from billgate only", csp)
	}
}
