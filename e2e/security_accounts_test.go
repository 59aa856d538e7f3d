package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/testenv"
)

// behindProxy is the default identity with the test client as a trusted
// proxy, so that X-Forwarded-For chooses the source address of a request.
func behindProxy() *testenv.Options {
	identity := testenv.DefaultIdentity()
	identity.TrustedProxies = []string{"127.0.0.1"}
	return &testenv.Options{Identity: identity}
}

func from(ip string) []string { return []string{"X-Forwarded-For", ip} }

// Finding 7: six wrong logins answer the same for an account that exists and
// one that does not, on the login route and with Basic on a call.
func TestFinding7UnknownAndExistingAccountsAnswerAlike(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, *behindProxy())
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	call(t, env, "POST", "/v1/clients", newAccount("bob", ""), owner...)

	answers := func(ip string, attempt func(header ...string) reply) string {
		var got []string
		for range 6 {
			r := attempt(from(ip)...)
			code := ""
			if len(r.Errors) == 1 {
				code = r.Errors[0].Code + " " + r.Errors[0].Message
			}
			if r.Status == 429 && r.Header.Get("Retry-After") == "" {
				code += " without Retry-After"
			}
			got = append(got, fmt.Sprintf("%d %s", r.Status, code))
		}
		return strings.Join(got, ", ")
	}
	loginAs := func(body string) func(header ...string) reply {
		return func(header ...string) reply { return call(t, env, "POST", "/auth/session", body, header...) }
	}
	basicAs := func(login string) func(header ...string) reply {
		return func(header ...string) reply {
			return call(t, env, "GET", "/v1/products", "", append(basic(login, "wrong password"), header...)...)
		}
	}
	want := strings.Repeat("401 AUTH_FAILED AUTH FAILED, ", 5) + "429 TOO_MANY_ATTEMPTS too many failed logins; retry later"
	tests := []struct {
		name            string
		existing, ghost func(header ...string) reply
	}{
		{"login", loginAs(`{"login":"shop","password":"wrong password"}`), loginAs(`{"login":"ghost","password":"wrong password"}`)},
		{"customer login", loginAs(`{"login":"bob","password":"wrong password","tenant":"shop"}`), loginAs(`{"login":"nobody","password":"wrong password","tenant":"shop"}`)},
		{"basic", basicAs("shop"), basicAs("phantom")},
	}
	for i, tt := range tests {
		existing := answers(fmt.Sprintf("203.0.113.%d", 2*i+1), tt.existing)
		ghost := answers(fmt.Sprintf("203.0.113.%d", 2*i+2), tt.ghost)
		if existing != want || ghost != want {
			t.Errorf("%s: 6 wrong passwords\n  existing account: %s\n  unknown account:  %s\nwant both: %s", tt.name, existing, ghost, want)
		}
	}
}

// Finding 7: failures from one source lock the account for that source
// only; its owner logs in from another address.
func TestFinding7LockoutFromOneSourceDoesNotLockAnother(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, *behindProxy())
	env.CreateClient(nil, "root", goodPassword, "admin")
	victim := env.CreateClient(nil, "victim", goodPassword, "business")
	admin := as(t, env, creds("root", ""))
	const attacker, home = "203.0.113.66", "198.51.100.7"

	statuses := parallelWrongLogins(t, env, "victim", from(attacker)...)
	if statuses[401] != 5 || statuses[429] != 15 {
		t.Errorf("20 parallel wrong passwords from one source = %v, want 5 × 401 and 15 × 429", statuses)
	}
	call(t, env, "POST", "/auth/session", creds("victim", ""), from(attacker)...).
		is(t, "the right password from the attacker's source", 429, "TOO_MANY_ATTEMPTS", "too many failed logins; retry later")

	stats := call(t, env, "GET", "/v1/clients/"+victim.ID.String(), "", admin...)
	if stats.Result["failedLogins"] != float64(5) || stats.Result["lastFailedLoginAt"] == nil {
		t.Errorf("the victim's stats after the attack = failedLogins %v, lastFailedLoginAt %v, want 5 and a time", stats.Result["failedLogins"], stats.Result["lastFailedLoginAt"])
	}

	if r := call(t, env, "POST", "/auth/session", creds("victim", ""), from(home)...); r.Status != 200 {
		t.Fatalf("the victim from another source = %d %+v, want 200", r.Status, r.Errors)
	}
	basicHome := append(basic("victim", goodPassword), from(home)...)
	if r := call(t, env, "GET", "/v1/products", "", basicHome...); r.Status != 200 {
		t.Errorf("the victim's Basic call from another source = %d %+v, want 200", r.Status, r.Errors)
	}
	call(t, env, "POST", "/auth/session", creds("victim", ""), from(attacker)...).
		is(t, "the attacker's source after the victim's login", 429, "TOO_MANY_ATTEMPTS", "too many failed logins; retry later")
}

// Finding 8: an API key, a JWT made from one and a signing key act for
// their owner, but cannot end its sessions or try its password.
func TestFinding8KeysCannotManageSessionsOrPasswords(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	token, session := login(t, env, creds("shop", ""))
	owner := []string{"Authorization", "Bearer " + token}
	sessionID := session.Result["id"].(string)

	apiKey := "Plain " + call(t, env, "POST", "/v1/api-keys", `{"name":"deploys"}`, owner...).Result["secret"].(string)
	jwt := call(t, env, "POST", "/auth/token", "", "Authorization", apiKey)
	if jwt.Status != 200 {
		t.Fatalf("POST /auth/token with a key = %d %+v", jwt.Status, jwt.Errors)
	}
	signing := call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha256","requiredHeaders":["(request-target)","host","digest"]}`, owner...)
	if signing.Status != 201 {
		t.Fatalf("POST /v1/signing-keys = %d %+v", signing.Status, signing.Errors)
	}
	signed := signer{c: env.HTTP, base: env.URL, keyID: signing.Result["keyId"].(string), secret: signing.Result["secret"].(string),
		algorithm: "hmac-sha256", signs: []string{"(request-target)", "host", "date", "digest", "x-request-id"}, now: time.Now}
	// The same request twice in one second is one signature, taken once
	// (finding 4): each call signs a request ID of its own.
	var calls int
	signedOnce := func(method, path, body string) reply {
		calls++
		signed.extra = http.Header{"X-Request-Id": {fmt.Sprint("finding-8-", calls)}}
		return signed.call(t, method, path, body)
	}

	keys := map[string]func(method, path, body string) reply{
		"an API key": func(method, path, body string) reply {
			return call(t, env, method, path, body, "Authorization", apiKey)
		},
		"a JWT made from an API key": func(method, path, body string) reply {
			return call(t, env, method, path, body, "Authorization", "Bearer "+jwt.Result["token"].(string))
		},
		"a signing key": signedOnce,
	}
	const wrongChange = `{"currentPassword":"not the password","newPassword":"a brand new passphrase"}`
	for name, do := range keys {
		if r := do("GET", "/v1/products", ""); r.Status != 200 {
			t.Fatalf("%s: GET /v1/products = %d %+v, want 200", name, r.Status, r.Errors)
		}
		for _, attempt := range []struct{ method, path, body string }{
			{"DELETE", "/auth/sessions", ""},
			{"DELETE", "/auth/sessions?keepCurrent=true", ""},
			{"DELETE", "/auth/sessions/" + sessionID, ""},
			{"DELETE", "/auth/session", ""},
			{"PATCH", "/auth/session", `{"expiresAt":"2999-01-01T00:00:00Z"}`},
			{"PUT", "/auth/password", wrongChange},
			{"PUT", "/auth/password", wrongChange},
			{"PUT", "/auth/password", wrongChange},
			{"PUT", "/auth/password", wrongChange},
			{"PUT", "/auth/password", wrongChange},
			{"PUT", "/auth/password", `{"currentPassword":"` + goodPassword + `","newPassword":"a brand new passphrase"}`},
		} {
			do(attempt.method, attempt.path, attempt.body).is(t, name+": "+attempt.method+" "+attempt.path, 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		}
	}
	if r := call(t, env, "GET", "/auth/session", "", owner...); r.Status != 200 {
		t.Errorf("the owner's session after the keys' attempts = %d %+v, want 200", r.Status, r.Errors)
	}
	me := call(t, env, "GET", "/v1/profile", "", owner...)
	if me.Result["failedLogins"] != float64(0) || me.Result["lastFailedLoginAt"] != nil {
		t.Errorf("the owner's stats = failedLogins %v, lastFailedLoginAt %v, want 0 and null: a key's attempt is no login", me.Result["failedLogins"], me.Result["lastFailedLoginAt"])
	}
	login(t, env, creds("shop", ""))
	if stored, _ := env.Store().ClientByID(t.Context(), shop.ID); stored.PasswordChangedAt != nil {
		t.Errorf("the password was changed by a key at %v", stored.PasswordChangedAt)
	}
}

// Finding 8: disabling an account revokes its API and signing keys, so that
// enabling it again does not bring them back.
func TestFinding8DisablingAnAccountRevokesItsKeys(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	shop := env.CreateClient(nil, "shop", goodPassword, "business")
	admin := as(t, env, creds("root", ""))
	owner := as(t, env, creds("shop", ""))
	apiKey := []string{"Authorization", "Plain " + call(t, env, "POST", "/v1/api-keys", `{"name":"deploys"}`, owner...).Result["secret"].(string)}
	signing := call(t, env, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha256"}`, owner...)
	signed := signer{c: env.HTTP, base: env.URL, keyID: signing.Result["keyId"].(string), secret: signing.Result["secret"].(string),
		algorithm: "hmac-sha256", signs: []string{"(request-target)", "host", "date", "digest"}, now: time.Now}
	if a, s := call(t, env, "GET", "/v1/products", "", apiKey...), signed.call(t, "GET", "/v1/products", ""); a.Status != 200 || s.Status != 200 {
		t.Fatalf("the keys before = %d, %d, want 200", a.Status, s.Status)
	}

	for _, disabled := range []string{"true", "false"} {
		if r := call(t, env, "PATCH", "/v1/clients/"+shop.ID.String(), `{"disabled":`+disabled+`}`, admin...); r.Status != 200 {
			t.Fatalf("PATCH disabled %s = %d %+v", disabled, r.Status, r.Errors)
		}
	}
	call(t, env, "GET", "/v1/products", "", apiKey...).is(t, "the API key after disable and enable", 401, "AUTH_FAILED", "AUTH FAILED")
	signed.call(t, "GET", "/v1/products", "").is(t, "the signing key after disable and enable", 401, "AUTH_FAILED", "AUTH FAILED")
	again := as(t, env, creds("shop", ""))
	if a, s := call(t, env, "GET", "/v1/api-keys", "", again...), call(t, env, "GET", "/v1/signing-keys", "", again...); len(a.Results) != 0 || len(s.Results) != 0 {
		t.Errorf("live keys after disable and enable = %d API, %d signing, want none", len(a.Results), len(s.Results))
	}
}

// Finding 12: a successful login leaves lastFailedLoginAt alone; only a
// failed attempt sets it.
func TestFinding12OnlyAFailureStampsLastFailedLoginAt(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	me := call(t, env, "GET", "/v1/profile", "", owner...)
	if me.Result["lastLoginAt"] == nil || me.Result["lastFailedLoginAt"] != nil {
		t.Errorf("after one successful login: lastLoginAt %v, lastFailedLoginAt %v, want a time and null", me.Result["lastLoginAt"], me.Result["lastFailedLoginAt"])
	}

	call(t, env, "POST", "/auth/session", `{"login":"shop","password":"wrong password"}`).is(t, "a wrong password", 401, "AUTH_FAILED", "AUTH FAILED")
	failed := call(t, env, "GET", "/v1/profile", "", owner...).Result["lastFailedLoginAt"]
	if failed == nil {
		t.Fatalf("lastFailedLoginAt after a failure = null, want a time")
	}
	time.Sleep(10 * time.Millisecond)
	as(t, env, creds("shop", ""))
	me = call(t, env, "GET", "/v1/profile", "", owner...)
	if me.Result["lastFailedLoginAt"] != failed || me.Result["lastLoginAt"] == failed || me.Result["failedLogins"] != float64(0) {
		t.Errorf("after a success: lastFailedLoginAt %v, lastLoginAt %v, failedLogins %v, want the failure's time %v kept, a later login and 0",
			me.Result["lastFailedLoginAt"], me.Result["lastLoginAt"], me.Result["failedLogins"], failed)
	}
}

// Finding 12: every dunning delay is at least a minute.
func TestFinding12DunningDelaysAreAtLeastAMinute(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	owner := as(t, env, creds("shop", ""))
	product := call(t, env, "POST", "/v1/products", `{"name":"Pro"}`, owner...)
	if product.Status != 201 {
		t.Fatalf("POST /v1/products = %d %+v", product.Status, product.Errors)
	}
	prices := "/v1/products/" + product.Result["id"].(string) + "/prices"
	price := func(dunning string) string {
		return `{"amount":1000,"currency":"USD","type":"recurring","interval":"month","dunning":` + dunning + `}`
	}
	tests := []struct {
		dunning, message string
	}{
		{`["1ns"]`, "dunning retry 1: delay 1ns is shorter than 1m"},
		{`["59s"]`, "dunning retry 1: delay 59s is shorter than 1m"},
		{`["1h","1h0m0.5s"]`, ""}, // the second is later, and long enough
		{`["30s","1h"]`, "dunning retry 1: delay 30s is shorter than 1m"},
	}
	for _, tt := range tests {
		for _, attempt := range []struct{ path, body, field string }{
			{"/v1/products", `{"name":"X","prices":[` + price(tt.dunning) + `]}`, "prices[0].dunning"},
			{prices, price(tt.dunning), "dunning"},
		} {
			r := call(t, env, "POST", attempt.path, attempt.body, owner...)
			if tt.message == "" {
				if r.Status != 201 {
					t.Errorf("POST %s with dunning %s = %d %+v, want 201", attempt.path, tt.dunning, r.Status, r.Errors)
				}
				continue
			}
			r.is(t, "POST "+attempt.path+" with dunning "+tt.dunning, 400, "INVALID", tt.message)
			if len(r.Errors) == 1 && r.Errors[0].Field != attempt.field {
				t.Errorf("POST %s with dunning %s: field %q, want %q", attempt.path, tt.dunning, r.Errors[0].Field, attempt.field)
			}
		}
	}
	if r := call(t, env, "POST", prices, price(`["1m","2m"]`), owner...); r.Status != 201 || fmt.Sprint(r.Result["dunning"]) != "[1m 2m]" {
		t.Errorf("a schedule of one and two minutes = %d %v, want 201 and [1m 2m]", r.Status, r.Result["dunning"])
	}
}
