package outbound

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testSecret = "s3cr3t-Pa55word"

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		auth     Auth
		problems []string // nil accepts
	}{
		{"none", Auth{}, nil},
		{"basic", Auth{Scheme: SchemeBasic, User: "acme", Secret: testSecret}, nil},
		{"basic, UTF-8 user", Auth{Scheme: SchemeBasic, User: "tést", Secret: "pässword"}, nil},
		{"basic, password with a colon", Auth{Scheme: SchemeBasic, User: "acme", Secret: "a:b"}, nil},
		{"custom", Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "passexample"}, nil},
		{"custom, token punctuation", Auth{Scheme: SchemeCustom, Name: "X-Api-Key!", Secret: "k=v, k2=\"v 2\""}, nil},
		{"signature, hmac-sha1", Auth{Scheme: SchemeSignature, KeyID: "porta-1", Algorithm: "hmac-sha1", Secret: testSecret}, nil},
		{"signature, hmac-sha256", Auth{Scheme: SchemeSignature, KeyID: "porta 1", Algorithm: "hmac-sha256", Secret: testSecret}, nil},
		{"bearer, defaults", Auth{Scheme: SchemeBearer, Secret: "superkey"}, nil},
		{"bearer, everything", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(` {"i_env": 3, "iss": "billgate"} `), ExpiryClaim: "Exp", TTLSeconds: 86400, Secret: "superkey"}, nil},
		{"bearer, null claims", Auth{Scheme: SchemeBearer, Claims: json.RawMessage("null"), Secret: "superkey"}, nil},
		{"bearer, empty claims", Auth{Scheme: SchemeBearer, Claims: json.RawMessage("{}"), Secret: "superkey"}, nil},
		{"bearer, claims named like exp in another case", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"EXP":1}`), Secret: "superkey"}, nil},

		{"unknown scheme", Auth{Scheme: "digest", Secret: testSecret}, []string{`scheme is "digest"; want basic, custom, signature, bearer, or empty for none`}},
		{"scheme in upper case", Auth{Scheme: "Basic", User: "acme", Secret: testSecret}, []string{`scheme is "Basic"`}},
		{"none with a secret", Auth{Secret: testSecret}, []string{"secret is not used by scheme none"}},
		{"none with a user", Auth{User: "acme"}, []string{"user is not used by scheme none"}},

		{"basic, nothing", Auth{Scheme: SchemeBasic}, []string{"user is required", "secret is required"}},
		{"basic, colon in user", Auth{Scheme: SchemeBasic, User: "ac:me", Secret: testSecret}, []string{"user holds a colon"}},
		{"basic, line break in user", Auth{Scheme: SchemeBasic, User: "acme\r\nX: 1", Secret: testSecret}, []string{"user holds a control character"}},
		{"basic, tab in password", Auth{Scheme: SchemeBasic, User: "acme", Secret: "pass\tword"}, []string{"secret holds a control character"}},
		{"basic, password not UTF-8", Auth{Scheme: SchemeBasic, User: "acme", Secret: "pass\xffword"}, []string{"secret is not valid UTF-8"}},
		{"basic, fields of other schemes", Auth{Scheme: SchemeBasic, User: "acme", Secret: testSecret, KeyID: "k", TTLSeconds: 5},
			[]string{"key_id is not used by scheme basic", "ttl_seconds is not used by scheme basic"}},

		{"custom, nothing", Auth{Scheme: SchemeCustom}, []string{"name is required", "secret is required"}},
		{"custom, name with a space", Auth{Scheme: SchemeCustom, Name: "My Scheme", Secret: "x"}, []string{`name "My Scheme" is not an RFC 7230 token`}},
		{"custom, name Bearer", Auth{Scheme: SchemeCustom, Name: "bearer", Secret: "x"}, []string{`name "bearer" is the Bearer scheme; use scheme bearer`}},
		{"custom, name Basic", Auth{Scheme: SchemeCustom, Name: "BASIC", Secret: "x"}, []string{`name "BASIC" is the Basic scheme; use scheme basic`}},
		{"custom, name Signature", Auth{Scheme: SchemeCustom, Name: "Signature", Secret: "x"}, []string{`name "Signature" is the Signature scheme; use scheme signature`}},
		{"custom, line break in secret", Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "pass\nX-Evil: 1"}, []string{"secret holds a character that is not printable ASCII"}},
		{"custom, non-ASCII secret", Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "pässword"}, []string{"secret holds a character that is not printable ASCII"}},
		{"custom, secret with a trailing space", Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "pass "}, []string{"secret begins or ends with a space"}},
		{"custom, user set", Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "x", User: "acme"}, []string{"user is not used by scheme custom"}},

		{"signature, nothing", Auth{Scheme: SchemeSignature}, []string{"key_id is required", "algorithm is required: hmac-sha1 or hmac-sha256", "secret is required"}},
		{"signature, quote in key id", Auth{Scheme: SchemeSignature, KeyID: `a"b`, Algorithm: "hmac-sha1", Secret: "x"}, []string{"key_id \"a\\\"b\" must be printable ASCII without quotes or backslashes"}},
		{"signature, backslash in key id", Auth{Scheme: SchemeSignature, KeyID: `a\b`, Algorithm: "hmac-sha1", Secret: "x"}, []string{`key_id "a\\b" must be printable ASCII without quotes or backslashes`}},
		{"signature, non-ASCII key id", Auth{Scheme: SchemeSignature, KeyID: "porté", Algorithm: "hmac-sha1", Secret: "x"}, []string{`key_id "porté" must be printable ASCII`}},
		{"signature, rsa-sha256", Auth{Scheme: SchemeSignature, KeyID: "k", Algorithm: "rsa-sha256", Secret: "x"}, []string{`algorithm is "rsa-sha256"; want hmac-sha1 or hmac-sha256`}},
		{"signature, upper-case algorithm", Auth{Scheme: SchemeSignature, KeyID: "k", Algorithm: "HMAC-SHA1", Secret: "x"}, []string{`algorithm is "HMAC-SHA1"`}},

		{"bearer, no key", Auth{Scheme: SchemeBearer}, []string{"secret is required"}},
		{"bearer, claims an array", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`[1]`), Secret: "k"}, []string{"claims is not a JSON object"}},
		{"bearer, claims a string", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`"i_env"`), Secret: "k"}, []string{"claims is not a JSON object"}},
		{"bearer, claims not JSON", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{i_env: 3}`), Secret: "k"}, []string{"claims is not valid JSON"}},
		{"bearer, two objects", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{} {}`), Secret: "k"}, []string{"claims is not valid JSON"}},
		{"bearer, a claim twice", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"a":1,"b":{"a":2},"a":3}`), Secret: "k"}, []string{`claims has "a" twice`}},
		{"bearer, claims set exp", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"exp":1}`), Secret: "k"}, []string{`claims has "exp", the expiry claim`}},
		{"bearer, claims set the escaped expiry claim", Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"\u0045xp":1}`), ExpiryClaim: "Exp", Secret: "k"}, []string{`claims has "Exp"`}},
		{"bearer, expiry claim not UTF-8", Auth{Scheme: SchemeBearer, ExpiryClaim: "\xff", Secret: "k"}, []string{"expiry_claim is not valid UTF-8"}},
		{"bearer, negative TTL", Auth{Scheme: SchemeBearer, TTLSeconds: -1, Secret: "k"}, []string{"ttl_seconds is -1; want 1 to 86400, or 0 for 300"}},
		{"bearer, TTL over a day", Auth{Scheme: SchemeBearer, TTLSeconds: 86401, Secret: "k"}, []string{"ttl_seconds is 86401"}},
		{"bearer, name set", Auth{Scheme: SchemeBearer, Name: "Plain", Secret: "k"}, []string{"name is not used by scheme bearer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.auth.Validate()
			checkProblems(t, err, tt.problems)
			if err != nil && len(tt.auth.Secret) > 3 && strings.Contains(err.Error(), string(tt.auth.Secret)) {
				t.Errorf("the error %q quotes the secret", err)
			}
		})
	}
}

// checkProblems checks that err is a join of *FieldErrors, one per
// problem, each saying its problem.
func checkProblems(t *testing.T, err error, problems []string) {
	t.Helper()
	if len(problems) == 0 {
		if err != nil {
			t.Fatalf("Validate() = %v, want nil", err)
		}
		return
	}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else if err != nil {
		errs = []error{err}
	}
	if len(errs) != len(problems) {
		t.Fatalf("Validate() = %v, want %d problems: %q", err, len(problems), problems)
	}
	for i, e := range errs {
		var field *FieldError
		if !errors.As(e, &field) {
			t.Errorf("problem %d, %v, is not a *FieldError", i+1, e)
		}
		if want := "auth: " + problems[i]; !strings.HasPrefix(e.Error(), want) {
			t.Errorf("problem %d = %q, want it to begin %q", i+1, e, want)
		}
	}
}

func TestAuthorizeLeavesHeadersAloneWhenInvalid(t *testing.T) {
	for _, a := range []Auth{
		{Scheme: SchemeBasic, User: "ac:me", Secret: testSecret},
		{Scheme: SchemeSignature, KeyID: "k", Algorithm: "hmac-md5", Secret: testSecret},
		{Scheme: "digest"},
	} {
		h := http.Header{"Date": {"Tue, 07 Jun 2014 20:51:35 GMT"}}
		if err := a.Authorize(h, time.Now()); err == nil {
			t.Errorf("Authorize(%s) = nil, want its Validate error", a.Scheme)
		}
		checkHeaders(t, h, http.Header{"Date": {"Tue, 07 Jun 2014 20:51:35 GMT"}})
	}
}

func TestAuthorizeNone(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}}
	if err := (Auth{}).Authorize(h, time.Now()); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, h, http.Header{"Content-Type": {"application/json"}})
}

func TestAuthorizeReplacesAuthorization(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer stale", "Basic stale"}}
	if err := (Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "passexample"}).Authorize(h, time.Now()); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, h, http.Header{"Authorization": {"Plain passexample"}})
}

// TestAuthJSON is an Auth stored and read back: the same Auth, with the
// secret in the clear for the storage that seals it, and nothing a scheme
// does not use.
func TestAuthJSON(t *testing.T) {
	tests := []struct {
		auth Auth
		json string
	}{
		{Auth{}, `{}`},
		{Auth{Scheme: SchemeBasic, User: "acme", Secret: testSecret}, `{"scheme":"basic","user":"acme","secret":"s3cr3t-Pa55word"}`},
		{Auth{Scheme: SchemeCustom, Name: "Plain", Secret: "passexample"}, `{"scheme":"custom","name":"Plain","secret":"passexample"}`},
		{Auth{Scheme: SchemeSignature, KeyID: "porta-1", Algorithm: "hmac-sha1", Secret: testSecret},
			`{"scheme":"signature","key_id":"porta-1","algorithm":"hmac-sha1","secret":"s3cr3t-Pa55word"}`},
		{Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"i_env":3}`), ExpiryClaim: "Exp", TTLSeconds: 300, Secret: "superkey"},
			`{"scheme":"bearer","claims":{"i_env":3},"expiry_claim":"Exp","ttl_seconds":300,"secret":"superkey"}`},
	}
	for _, tt := range tests {
		t.Run(tt.auth.schemeName(), func(t *testing.T) {
			stored, err := json.Marshal(tt.auth)
			if err != nil || string(stored) != tt.json {
				t.Fatalf("json.Marshal() = %s, %v; want %s", stored, err, tt.json)
			}
			var read Auth
			if err := json.Unmarshal(stored, &read); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(read, tt.auth) {
				t.Errorf("read back %#v, want %#v", read, tt.auth)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	a := Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"i_env":3}`), ExpiryClaim: "Exp", Secret: "superkey"}
	r := a.Redacted()
	want := Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"i_env":3}`), ExpiryClaim: "Exp"}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Redacted() = %#v, want %#v", r, want)
	}
	r.Claims[2] = 'X'
	if string(a.Claims) != `{"i_env":3}` {
		t.Errorf("changing Redacted's claims changed the original's: %s", a.Claims)
	}
	if a.Secret != "superkey" {
		t.Error("Redacted() cleared the original's secret")
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	a := Auth{Scheme: SchemeBasic, User: "acme", Secret: testSecret}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(format, a); strings.Contains(got, testSecret) || !strings.Contains(got, "[redacted]") {
			t.Errorf("Sprintf(%q, auth) = %s, want the secret redacted", format, got)
		}
	}
}
