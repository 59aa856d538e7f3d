package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/internal/testenv"
)

// reply is a decoded envelope.
type reply struct {
	Status  int
	Header  http.Header
	Cookies []*http.Cookie
	Result  map[string]any `json:"result"`
	Results []map[string]any
	Errors  []struct {
		Code, Message, Field string
	} `json:"errors"`
}

func call(t *testing.T, env *testenv.Env, method, path, body string, header ...string) reply {
	t.Helper()
	return callAt(t, env.HTTP, env.URL, method, path, body, header...)
}

// callAt sends a request to the API at base through c and decodes the
// envelope; header holds name, value pairs.
func callAt(t *testing.T, c *http.Client, base, method, path, body string, header ...string) reply {
	t.Helper()
	r, err := exchange(c, base, method, path, body, header...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// exchange is callAt's request and answer, failing when the request
// cannot be sent or the answer is not JSON, for a caller that reports
// that itself.
func exchange(c *http.Client, base, method, path, body string, header ...string) (reply, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header, Cookies: resp.Cookies()}
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return r, fmt.Errorf("%s %s: body is not JSON: %v", method, path, err)
		}
	}
	return r, nil
}

// is checks a refusal: status, code and message.
func (r reply) is(t *testing.T, what string, status int, code, message string) {
	t.Helper()
	if r.Status != status || len(r.Errors) != 1 || r.Errors[0].Code != code || r.Errors[0].Message != message {
		t.Errorf("%s = %d %+v, want %d %s %q", what, r.Status, r.Errors, status, code, message)
	}
}

func login(t *testing.T, env *testenv.Env, body string) (token string, r reply) {
	t.Helper()
	r = call(t, env, "POST", "/auth/session", body)
	if r.Status != http.StatusOK {
		t.Fatalf("login %s = %d %+v", body, r.Status, r.Errors)
	}
	return r.Result["token"].(string), r
}

const goodPassword = "correct horse battery staple"

func TestLoginAndSession(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	alice := env.CreateClient(nil, "alice", goodPassword, "business")

	token, r := login(t, env, `{"login":"alice","password":"`+goodPassword+`"}`)
	if r.Result["clientId"] != alice.ID.String() || !strings.HasPrefix(token, "bgs_") || r.Result["id"] == "" {
		t.Errorf("login result = %v", r.Result)
	}
	var sid *http.Cookie
	for _, c := range r.Cookies {
		if c.Name == "sid" {
			sid = c
		}
	}
	if sid == nil || sid.Value != token || sid.Path != "/" || !sid.HttpOnly || sid.SameSite != http.SameSiteLaxMode || sid.Secure {
		t.Fatalf("Set-Cookie sid = %+v, want the token, Path=/, HttpOnly, SameSite=Lax, not Secure", sid)
	}

	for name, creds := range map[string][]string{
		"cookie": {"Cookie", "sid=" + token},
		"bearer": {"Authorization", "Bearer " + token},
		"BEARER": {"Authorization", "BEARER " + token},
	} {
		me := call(t, env, "GET", "/auth/session", "", creds...)
		if me.Status != 200 || me.Result["client"].(map[string]any)["login"] != "alice" {
			t.Errorf("whoami by %s = %d %v", name, me.Status, me.Result)
		}
	}

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+goodPassword))
	r = call(t, env, "POST", "/auth/session", "", "Authorization", basic)
	if r.Status != 200 || r.Result["token"] == token {
		t.Errorf("Basic login = %d %v, want a new session", r.Status, r.Result)
	}

	list := call(t, env, "GET", "/auth/sessions", "", "Authorization", "Bearer "+token)
	if list.Status != 200 || len(list.Results) != 2 {
		t.Fatalf("GET /auth/sessions = %d, %d sessions, want 2", list.Status, len(list.Results))
	}
	raw, _ := json.Marshal(list.Results)
	if strings.Contains(string(raw), "bgs_") || strings.Contains(string(raw), "ecret") || strings.Contains(string(raw), "hash") {
		t.Errorf("session list leaks a secret: %s", raw)
	}
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	tests := []struct {
		name   string
		body   string
		header []string
	}{
		{"wrong password", `{"login":"alice","password":"wrong password here"}`, nil},
		{"unknown user", `{"login":"nobody","password":"` + goodPassword + `"}`, nil},
		{"sql injection", `{"login":"alice' OR '1'='1","password":"' OR '1'='1"}`, nil},
		{"json injection", `{"login":"alice","password":{"$ne":null}}`, nil},
		{"megabyte password", `{"login":"alice","password":"` + strings.Repeat("a", 1_000_000) + `"}`, nil},
		{"unknown tenant", `{"login":"alice","password":"` + goodPassword + `","tenant":"no-such-shop"}`, nil},
		{"malformed basic", "", []string{"Authorization", "Basic !!!not-base64"}},
		{"basic without colon", "", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice"))}},
		{"other scheme", "", []string{"Authorization", "Digest alice"}},
	}
	var bodies []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, env, "POST", "/auth/session", tt.body, tt.header...)
			if tt.name == "json injection" {
				r.is(t, tt.name, 400, "INVALID", r.message())
				return
			}
			r.is(t, tt.name, 401, "AUTH_FAILED", "AUTH FAILED")
			raw, _ := json.Marshal(r.Errors)
			bodies = append(bodies, string(raw))
		})
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("refusals differ: %s vs %s; an attacker could tell them apart", b, bodies[0])
		}
	}
}

func (r reply) message() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

func TestSessionsEndAsPromised(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	alice := env.CreateClient(nil, "alice", goodPassword, "business")
	creds := `{"login":"alice","password":"` + goodPassword + `"}`

	call(t, env, "GET", "/auth/session", "").is(t, "no credentials", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer bgs_"+strings.Repeat("A", 43)).
		is(t, "unknown session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")

	// Logout: the sid is dead on the very next request, and the cookie cleared.
	token, _ := login(t, env, creds)
	out := call(t, env, "DELETE", "/auth/session", "", "Authorization", "Bearer "+token)
	if out.Status != http.StatusNoContent || len(out.Cookies) != 1 || out.Cookies[0].MaxAge >= 0 {
		t.Errorf("logout = %d cookies %v, want 204 clearing sid", out.Status, out.Cookies)
	}
	call(t, env, "GET", "/auth/session", "", "Cookie", "sid="+token).is(t, "sid after logout", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")

	// Delete-all, with and without keeping the current one.
	one, _ := login(t, env, creds)
	two, _ := login(t, env, creds)
	three, _ := login(t, env, creds)
	kept := call(t, env, "DELETE", "/auth/sessions?keepCurrent=true", "", "Authorization", "Bearer "+three)
	if kept.Status != 200 || kept.Result["revoked"] != float64(2) {
		t.Errorf("DELETE /auth/sessions?keepCurrent=true = %d %v, want 2 revoked", kept.Status, kept.Result)
	}
	for _, dead := range []string{one, two} {
		call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+dead).is(t, "sid after delete-all", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	}
	call(t, env, "DELETE", "/auth/sessions", "", "Authorization", "Bearer "+three)
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+three).is(t, "current after delete-all", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")

	// Revoke one by ID; another client's session ID is not found.
	four, r := login(t, env, creds)
	env.CreateClient(nil, "mallory", goodPassword, "business")
	mallory, _ := login(t, env, `{"login":"mallory","password":"`+goodPassword+`"}`)
	call(t, env, "DELETE", "/auth/sessions/"+r.Result["id"].(string), "", "Authorization", "Bearer "+mallory).
		is(t, "revoke another's session", 404, "NOT_FOUND", "not found")
	if del := call(t, env, "DELETE", "/auth/sessions/"+r.Result["id"].(string), "", "Authorization", "Bearer "+four); del.Status != 204 {
		t.Errorf("revoke own session = %d", del.Status)
	}

	// Extending past the absolute lifetime is capped at it.
	five, r := login(t, env, creds)
	ext := call(t, env, "PATCH", "/auth/session", `{"expiresAt":"2999-01-01T00:00:00Z"}`, "Authorization", "Bearer "+five)
	if ext.Status != 200 || ext.Result["expiresAt"] != ext.Result["absoluteExpiresAt"] {
		t.Errorf("extend past the cap = %d %v, want expiresAt == absoluteExpiresAt", ext.Status, ext.Result)
	}
	call(t, env, "PATCH", "/auth/session", `{"expiresAt":"2001-01-01T00:00:00Z"}`, "Authorization", "Bearer "+five).
		is(t, "extend into the past", 400, "INVALID", "expiresAt must be in the future")

	// A disabled client's live session dies at once.
	if err := env.Store().SetDisabled(context.Background(), alice.ID, true); err != nil {
		t.Fatal(err)
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+five).is(t, "disabled client's session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	call(t, env, "POST", "/auth/session", creds).is(t, "disabled client's login", 401, "AUTH_FAILED", "AUTH FAILED")
}

func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	id := testenv.DefaultIdentity()
	id.SessionIdle = time.Second
	env := testenv.Start(t, testenv.Options{Identity: id})
	env.CreateClient(nil, "alice", goodPassword, "business")
	token, _ := login(t, env, `{"login":"alice","password":"`+goodPassword+`"}`)
	waitFor(t, "the session to expire", func() bool {
		r := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token)
		return r.Status == http.StatusNotFound
	})
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token).is(t, "expired session", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}

// Twenty parallel wrong passwords lock the account after five; then even the
// right password is refused with Retry-After.
func TestLockout(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	statuses := parallelWrongLogins(t, env, "alice")
	if statuses[401] != 5 || statuses[429] != 15 {
		t.Errorf("20 parallel wrong passwords = %v, want 5 × 401 and 15 × 429", statuses)
	}
	r := call(t, env, "POST", "/auth/session", `{"login":"alice","password":"`+goodPassword+`"}`)
	r.is(t, "right password while locked", 429, "TOO_MANY_ATTEMPTS", "too many failed logins; retry later")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q, want seconds", ra)
	}
}

// Cookie-authenticated changes must be same-site JSON.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	token, _ := login(t, env, `{"login":"alice","password":"`+goodPassword+`"}`)
	cookie := "sid=" + token
	tests := []struct {
		name   string
		header []string
	}{
		{"form post", []string{"Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"}},
		{"no content type", []string{"Cookie", cookie}},
		{"cross-site fetch", []string{"Cookie", cookie, "Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"}},
		{"foreign origin", []string{"Cookie", cookie, "Content-Type", "application/json", "Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("DELETE", env.URL+"/auth/session", nil)
		for i := 0; i+1 < len(tt.header); i += 2 {
			req.Header.Set(tt.header[i], tt.header[i+1])
		}
		resp, err := env.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r reply
		r.Status = resp.StatusCode
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		r.is(t, tt.name, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	}
	if me := call(t, env, "GET", "/auth/session", "", "Cookie", cookie); me.Status != 200 {
		t.Errorf("the session was ended by a refused request: %d", me.Status)
	}
	ok := call(t, env, "DELETE", "/auth/session", "", "Cookie", cookie, "Content-Type", "application/json", "Sec-Fetch-Site", "same-origin")
	if ok.Status != http.StatusNoContent {
		t.Errorf("same-site JSON logout = %d, want 204", ok.Status)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	creds := `{"login":"alice","password":"` + goodPassword + `"}`
	other, _ := login(t, env, creds)
	current, _ := login(t, env, creds)
	bearer := []string{"Authorization", "Bearer " + current}

	call(t, env, "PUT", "/auth/password", `{"currentPassword":"not my password","newPassword":"a brand new passphrase"}`, bearer...).
		is(t, "wrong current password", 401, "AUTH_FAILED", "AUTH FAILED")
	call(t, env, "PUT", "/auth/password", `{"currentPassword":"`+goodPassword+`","newPassword":"short"}`, bearer...).
		is(t, "short new password", 400, "INVALID", "password must be at least 12 characters")

	const next = "a brand new passphrase"
	if r := call(t, env, "PUT", "/auth/password", `{"currentPassword":"`+goodPassword+`","newPassword":"`+next+`"}`, bearer...); r.Status != http.StatusNoContent {
		t.Fatalf("PUT /auth/password = %d %+v, want 204", r.Status, r.Errors)
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+other).is(t, "other session after change", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	if r := call(t, env, "GET", "/auth/session", "", bearer...); r.Status != 200 {
		t.Errorf("current session after change = %d, want 200", r.Status)
	}
	call(t, env, "POST", "/auth/session", creds).is(t, "old password", 401, "AUTH_FAILED", "AUTH FAILED")
	login(t, env, `{"login":"alice","password":"`+next+`"}`)
}

// One address guessing across many accounts is slowed too: after 20
// failures from it, even a right password waits.
func TestFailuresPerIPAreLimited(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	for i := range 20 {
		call(t, env, "POST", "/auth/session", fmt.Sprintf(`{"login":"user-%d","password":"guess guess guess"}`, i)).
			is(t, "a guess", 401, "AUTH_FAILED", "AUTH FAILED")
	}
	r := call(t, env, "POST", "/auth/session", `{"login":"alice","password":"`+goodPassword+`"}`)
	r.is(t, "login from a guessing IP", 429, "TOO_MANY_ATTEMPTS", "too many failed logins; retry later")
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After")
	}
}

// Under strict IP binding a session used from another address is refused;
// client addresses come from X-Forwarded-For only through a trusted proxy.
func TestSessionIPBinding(t *testing.T) {
	t.Parallel()
	loginFrom := func(env *testenv.Env, ip string) string {
		r := call(t, env, "POST", "/auth/session", creds("alice", ""), "X-Forwarded-For", ip)
		if r.Status != 200 {
			t.Fatalf("login from %s = %d %+v", ip, r.Status, r.Errors)
		}
		return r.Result["token"].(string)
	}

	strict := testenv.DefaultIdentity()
	strict.IPBinding = "strict"
	strict.TrustedProxies = []string{"127.0.0.1"}
	env := testenv.Start(t, testenv.Options{Identity: strict})
	env.CreateClient(nil, "alice", goodPassword, "business")
	token := loginFrom(env, "203.0.113.9")
	if r := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token, "X-Forwarded-For", "203.0.113.9"); r.Status != 200 || r.Result["session"].(map[string]any)["ip"] != "203.0.113.9" {
		t.Errorf("same IP = %d %v, want 200 with the forwarded IP recorded", r.Status, r.Result)
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token, "X-Forwarded-For", "198.51.100.7").
		is(t, "session from another IP", 401, "AUTH_FAILED", "AUTH FAILED")

	untrusted := testenv.DefaultIdentity()
	untrusted.IPBinding = "strict"
	env = testenv.Start(t, testenv.Options{Identity: untrusted})
	env.CreateClient(nil, "alice", goodPassword, "business")
	token = loginFrom(env, "203.0.113.9")
	r := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token, "X-Forwarded-For", "198.51.100.7")
	if r.Status != 200 || r.Result["session"].(map[string]any)["ip"] != "127.0.0.1" {
		t.Errorf("forwarded header from an untrusted peer = %d %v, want it ignored", r.Status, r.Result)
	}
}

// Session fixation: a sid the caller already holds is never adopted; every
// login issues a new secret.
func TestLoginNeverAdoptsAPresetSID(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "alice", goodPassword, "business")
	planted := "bgs_" + strings.Repeat("A", 43)
	r := call(t, env, "POST", "/auth/session", creds("alice", ""), "Cookie", "sid="+planted)
	if r.Status != 200 || r.Result["token"] == planted {
		t.Fatalf("login with a planted sid = %d %v", r.Status, r.Result)
	}
	for _, c := range r.Cookies {
		if c.Name == "sid" && c.Value == planted {
			t.Errorf("the planted sid was adopted")
		}
	}
	call(t, env, "GET", "/auth/session", "", "Cookie", "sid="+planted).is(t, "planted sid after login", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}

func TestSecureCookieAndAdminSessionControl(t *testing.T) {
	t.Parallel()
	id := testenv.DefaultIdentity()
	id.CookieSecure = true
	env := testenv.Start(t, testenv.Options{Identity: id})
	env.CreateClient(nil, "root", goodPassword, "admin")
	alice := env.CreateClient(nil, "alice", goodPassword, "business")
	r := call(t, env, "POST", "/auth/session", creds("alice", ""))
	if len(r.Cookies) != 1 || !r.Cookies[0].Secure {
		t.Errorf("sid with BILLGATE_COOKIE_SECURE=true = %+v, want Secure", r.Cookies)
	}
	token, sessionID := r.Result["token"].(string), r.Result["id"].(string)
	other, _ := login(t, env, creds("alice", ""))
	admin := as(t, env, creds("root", ""))

	path := "/v1/clients/" + alice.ID.String() + "/sessions"
	if got := callList(t, env, path, admin...).results; len(got) != 2 {
		t.Fatalf("admin lists alice's sessions = %d, want 2", len(got))
	}
	call(t, env, "DELETE", path+"/"+uuid.NewString(), "", admin...).is(t, "revoke an unknown session", 404, "NOT_FOUND", "not found")
	if del := call(t, env, "DELETE", path+"/"+sessionID, "", admin...); del.Status != 204 {
		t.Fatalf("admin revokes one session = %d", del.Status)
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+token).is(t, "session revoked by an admin", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	if r := call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+other); r.Status != 200 {
		t.Errorf("alice's other session = %d, want 200", r.Status)
	}
	if del := call(t, env, "DELETE", path, "", admin...); del.Status != 200 || del.Result["revoked"] != float64(1) {
		t.Errorf("admin revokes all = %d %v", del.Status, del.Result)
	}
	call(t, env, "GET", "/auth/session", "", "Authorization", "Bearer "+other).is(t, "after revoke-all", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
}

// parallelWrongLogins sends 20 wrong passwords for login at once and
// counts the answers by status.
func parallelWrongLogins(t *testing.T, env *testenv.Env, login string, header ...string) map[int]int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 20 {
		wg.Go(func() {
			r := call(t, env, "POST", "/auth/session", `{"login":"`+login+`","password":"wrong password here"}`, header...)
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}
