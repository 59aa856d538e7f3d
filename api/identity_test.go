package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/models"
)

// identityStore is a migrated in-memory store, and a password hasher fast
// enough for tests.
func identityStore(t testing.TB) (*models.Store, *password.Hasher) {
	t.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, "sqlite::memory:", models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if _, err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return store, password.New(password.Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})
}

// adminIdentity is the real identity core under cfg on a fresh SQLite
// store, with one admin account, admin / "admin password".
func adminIdentity(t testing.TB, cfg auth.Config) *auth.Identity {
	t.Helper()
	store, hasher := identityStore(t)
	hash, err := hasher.Hash("admin password")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(context.Background(), &models.Client{Login: "admin", PasswordHash: hash}, "admin"); err != nil {
		t.Fatal(err)
	}
	return auth.NewIdentity(auth.NewPersister(store), hasher, cfg, time.Now, slog.New(slog.DiscardHandler))
}

// identityServer serves the API over the real identity core on SQLite,
// with one admin account, admin / "admin password".
func identityServer(t *testing.T) (base string, c *http.Client) {
	t.Helper()
	cfg := auth.DefaultConfig()
	var err error
	cfg.Tokens, err = auth.NewTokens([]auth.TokenKey{auth.RandomTokenKey()}, "https://billgate.test", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	id := adminIdentity(t, cfg)
	srv, c := serve(t, api.Deps{Authn: id.Requests, Logins: id.Logins, Sessions: id.Sessions, AccessTokens: id.AccessTokens,
		APIKeys: id.APIKeys, SigningKeys: id.SigningKeys})
	return srv.URL, c
}

// answer is an envelope, listed or not.
type answer struct {
	Result  map[string]any   `json:"result"`
	Results []map[string]any `json:"results"`
	Errors  []api.Error      `json:"errors"`
}

// call sends body (none when "") with header pairs and decodes the answer.
func call(t *testing.T, c *http.Client, method, url, body string, header ...string) (*http.Response, answer) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e answer
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v", method, url, err)
		}
	}
	return resp, e
}

// errorCode is the first error's code, or "".
func (e answer) errorCode() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// TestIdentityRoutes walks the identity routes over the real identity
// core: each feature's handler reaches its own service, and every refusal
// keeps its seed-exact answer.
func TestIdentityRoutes(t *testing.T) {
	base, c := identityServer(t)

	resp, e := call(t, c, "POST", base+"/auth/session", `{"login":"admin","password":"wrong"}`)
	if resp.StatusCode != 401 || e.errorCode() != "AUTH_FAILED" || e.Errors[0].Message != "AUTH FAILED" || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("login with a wrong password = %d %+v, WWW-Authenticate %q; want 401 AUTH FAILED with a challenge", resp.StatusCode, e.Errors, resp.Header.Get("WWW-Authenticate"))
	}
	resp, e = call(t, c, "POST", base+"/auth/session", "", "Authorization", "Digest admin")
	if resp.StatusCode != 401 || e.errorCode() != "AUTH_FAILED" || resp.Header.Get("WWW-Authenticate") != `Basic realm="billgate"` {
		t.Errorf("login with another scheme = %d %+v, WWW-Authenticate %q; want 401 AUTH FAILED inviting Basic", resp.StatusCode, e.Errors, resp.Header.Get("WWW-Authenticate"))
	}
	// A page's script is not invited to Basic: a browser would answer with
	// its own login dialog over the page (and a headless one would wait).
	resp, e = call(t, c, "POST", base+"/auth/session", `{"login":"admin","password":"wrong"}`, "X-Requested-With", "XMLHttpRequest")
	if resp.StatusCode != 401 || e.errorCode() != "AUTH_FAILED" || strings.Contains(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("a script's login with a wrong password = %d %+v, WWW-Authenticate %q; want 401 AUTH FAILED without Basic", resp.StatusCode, e.Errors, resp.Header.Get("WWW-Authenticate"))
	}
	resp, _ = call(t, c, "GET", base+"/auth/session", "", "Authorization", "Plain bgk_nonsense", "X-Requested-With", "XMLHttpRequest")
	if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || strings.Contains(got, "Basic") || !strings.Contains(got, "Bearer") {
		t.Errorf("a script's call with a bad API key = %d, WWW-Authenticate %q; want the challenge without Basic", resp.StatusCode, got)
	}
	resp, e = call(t, c, "POST", base+"/auth/session", `{"login":"admin","password":"admin password"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("login = %d %+v, want 200", resp.StatusCode, e.Errors)
	}
	session, _ := e.Result["token"].(string)
	bearer := []string{"Authorization", "Bearer " + session}

	if resp, e := call(t, c, "GET", base+"/auth/session", ""); resp.StatusCode != 404 || e.Errors[0].Message != "SESSION UNKNOWN" {
		t.Errorf("GET /auth/session without credentials = %d %+v, want 404 SESSION UNKNOWN", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/auth/session", "", "Authorization", "Plain bgk_nonsense"); resp.StatusCode != 401 || e.Errors[0].Message != "AUTH FAILED" || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET /auth/session with a bad API key = %d %+v, want 401 AUTH FAILED with a challenge", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/auth/session", "", bearer...); resp.StatusCode != 200 || e.Result["session"] == nil {
		t.Errorf("GET /auth/session = %d %+v, want 200 and the session", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/auth/sessions", "", bearer...); resp.StatusCode != 200 {
		t.Errorf("GET /auth/sessions = %d %+v, want 200", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "PATCH", base+"/auth/session", `{"expiresAt":"2001-01-01T00:00:00Z"}`, bearer...); resp.StatusCode != 400 || e.Errors[0].Field != "expiresAt" {
		t.Errorf("PATCH /auth/session into the past = %d %+v, want 400 on expiresAt", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "DELETE", base+"/auth/sessions?keepCurrent=maybe", "", bearer...); resp.StatusCode != 400 || e.Errors[0].Field != "keepCurrent" {
		t.Errorf("DELETE /auth/sessions?keepCurrent=maybe = %d %+v, want 400 on keepCurrent", resp.StatusCode, e.Errors)
	}

	resp, e = call(t, c, "POST", base+"/auth/token", "", bearer...)
	jwt, _ := e.Result["token"].(string)
	if resp.StatusCode != 200 || jwt == "" {
		t.Fatalf("POST /auth/token = %d %+v, want 200 and a token", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/auth/session", "", "Authorization", "Bearer "+jwt); resp.StatusCode != 200 {
		t.Errorf("GET /auth/session with the JWT = %d %+v, want 200", resp.StatusCode, e.Errors)
	}
	if resp, _ := call(t, c, "GET", base+"/.well-known/jwks.json", ""); resp.StatusCode != 200 {
		t.Errorf("GET /.well-known/jwks.json = %d, want 200", resp.StatusCode)
	}

	resp, e = call(t, c, "POST", base+"/v1/api-keys", `{"name":"deploys"}`, bearer...)
	secret, _ := e.Result["secret"].(string)
	keyID, _ := e.Result["id"].(string)
	if resp.StatusCode != 201 || !strings.HasPrefix(secret, auth.APIKeyPrefix) {
		t.Fatalf("POST /v1/api-keys = %d %+v, want 201 and a secret", resp.StatusCode, e.Errors)
	}
	byKey := []string{"Authorization", "Plain " + secret}
	if resp, e := call(t, c, "GET", base+"/v1/api-keys", "", byKey...); resp.StatusCode != 401 || e.Errors[0].Message != "PERMISSION DENIED" {
		t.Errorf("GET /v1/api-keys by a key = %d %+v, want 401 PERMISSION DENIED", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/v1/api-keys", "", bearer...); resp.StatusCode != 200 || len(e.Results) != 1 {
		t.Errorf("GET /v1/api-keys = %d %+v, want 200 and one key", resp.StatusCode, e)
	}
	if resp, _ := call(t, c, "DELETE", base+"/v1/api-keys/"+keyID, "", bearer...); resp.StatusCode != 204 {
		t.Errorf("DELETE /v1/api-keys/{id} = %d, want 204", resp.StatusCode)
	}
	if resp, e := call(t, c, "DELETE", base+"/v1/api-keys/"+keyID, "", bearer...); resp.StatusCode != 404 {
		t.Errorf("DELETE /v1/api-keys/{id} again = %d %+v, want 404", resp.StatusCode, e.Errors)
	}

	if resp, e := call(t, c, "POST", base+"/v1/signing-keys", `{"algorithm":"hmac-sha256"}`, bearer...); resp.StatusCode != 201 {
		t.Errorf("POST /v1/signing-keys = %d %+v, want 201", resp.StatusCode, e.Errors)
	}
	if resp, e := call(t, c, "GET", base+"/v1/signing-keys", "", bearer...); resp.StatusCode != 200 || len(e.Results) != 1 {
		t.Errorf("GET /v1/signing-keys = %d %+v, want 200 and one key", resp.StatusCode, e)
	}
	if resp, e := call(t, c, "DELETE", base+"/v1/signing-keys/not-an-id", "", bearer...); resp.StatusCode != 404 {
		t.Errorf("DELETE /v1/signing-keys/not-an-id = %d %+v, want 404", resp.StatusCode, e.Errors)
	}

	if resp, e := call(t, c, "PUT", base+"/auth/password", `{"currentPassword":"wrong","newPassword":"a new password long enough"}`, bearer...); resp.StatusCode != 401 || e.Errors[0].Message != "AUTH FAILED" {
		t.Errorf("PUT /auth/password with a wrong one = %d %+v, want 401 AUTH FAILED", resp.StatusCode, e.Errors)
	}
	// Wrong current passwords lock the account out as failed logins do,
	// and the refusal says when to retry.
	for range 5 {
		call(t, c, "PUT", base+"/auth/password", `{"currentPassword":"wrong","newPassword":"a new password long enough"}`, bearer...)
	}
	if resp, e := call(t, c, "PUT", base+"/auth/password", `{"currentPassword":"wrong","newPassword":"a new password long enough"}`, bearer...); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("PUT /auth/password once locked out = %d %+v (Retry-After %q), want 429 with Retry-After", resp.StatusCode, e.Errors, resp.Header.Get("Retry-After"))
	}
	if resp, _ := call(t, c, "DELETE", base+"/auth/session", "", bearer...); resp.StatusCode != 204 {
		t.Errorf("DELETE /auth/session = %d, want 204", resp.StatusCode)
	}
	if resp, e := call(t, c, "GET", base+"/auth/session", "", bearer...); resp.StatusCode != 404 || e.Errors[0].Message != "SESSION UNKNOWN" {
		t.Errorf("GET /auth/session after logout = %d %+v, want 404 SESSION UNKNOWN", resp.StatusCode, e.Errors)
	}
}

// TestConcurrentWrongLoginsFromOneAddress is the regression test for a
// per-IP limit that attempts sent at once all passed: of 40 wrong logins
// from one address at the same moment, exactly the burst (20 by default)
// reach the password check and the rest are refused as too many.
func TestConcurrentWrongLoginsFromOneAddress(t *testing.T) {
	base, c := identityServer(t)
	const attempts = 40
	codes := make(chan string, attempts)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			body := fmt.Sprintf(`{"login":"guess-%d","password":"wrong"}`, i)
			<-start
			resp, err := c.Post(base+"/auth/session", "application/json", strings.NewReader(body))
			if err != nil {
				codes <- err.Error()
				return
			}
			defer resp.Body.Close()
			var e answer
			_ = json.NewDecoder(resp.Body).Decode(&e)
			codes <- fmt.Sprintf("%d %s", resp.StatusCode, e.errorCode())
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for code := range codes {
		got[code]++
	}
	want := map[string]int{"401 AUTH_FAILED": 20, "429 TOO_MANY_ATTEMPTS": 20}
	if !maps.Equal(got, want) {
		t.Errorf("40 wrong logins at once from one address: got %v, want %v", got, want)
	}
}
