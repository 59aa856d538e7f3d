package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/auth/signature"
)

// signedRequest is a request signed as a client would: headers names what
// the signature covers, in order.
func signedRequest(t testing.TB, keyID, secret, alg string, headers []string, method, target string, h http.Header, body []byte) SignedRequest {
	t.Helper()
	p := signature.Params{KeyID: keyID, Algorithm: alg, Headers: headers}
	str, err := p.SigningString(method, target, h)
	if err != nil {
		t.Fatalf("SigningString() = %v", err)
	}
	if p.Signature, err = signature.Sign(alg, []byte(secret), str); err != nil {
		t.Fatal(err)
	}
	return SignedRequest{Authorization: p.Authorization(), Method: method, Target: target, Header: h,
		Body: func() ([]byte, error) { return body, nil }, HasBody: len(body) > 0}
}

func digestOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// An HTTP Signature acts for its key's owner when every check passes, and
// each broken check alone is AUTH FAILED.
func testSignatures(t *testing.T, f *fixture) {
	shop := f.client(nil, "shop", "pw", "business")
	owner := f.sessionPrincipal("shop")
	k, secret, err := f.svc.SigningKeys.Create(f.ctx, owner, NewSigningKey{Name: "portal", Algorithm: signature.HMACSHA256, RequiredHeaders: []string{"(request-target)", "digest"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, SigningKeyPrefix) || strings.Contains(k.SealedSecret, secret) || k.RequiredHeaders != `["date","(request-target)","digest"]` {
		t.Fatalf("CreateSigningKey() = %+v, secret %q: want the secret sealed and date required", k, secret)
	}
	body := []byte(`{"name":"Signed"}`)
	header := func() http.Header {
		return http.Header{"Date": {f.clock.Format(http.TimeFormat)}, "Digest": {digestOf(body)}, "Content-Type": {"application/json"}, "Host": {"billgate.test"}}
	}
	signed := []string{"(request-target)", "host", "date", "digest"}
	sign := func(alg string, headers []string, h http.Header) SignedRequest {
		return signedRequest(t, k.ID.String(), secret, alg, headers, "POST", "/v1/products?x=1", h, body)
	}
	check := func(req SignedRequest) (*Principal, error) {
		return f.svc.SigningKeys.Authenticate(f.ctx, req, Origin{IP: otherIP})
	}

	p, err := check(sign(signature.HMACSHA256, signed, header()))
	if err != nil || p.Account.ID != shop.ID || p.SigningKey == nil || p.SigningKey.ID != k.ID || p.Session != nil || !p.Can("products:create") {
		t.Fatalf("AuthenticateSignature() = %+v, %v, want shop through its signing key", p, err)
	}
	if _, err := check(sign(signature.HMACSHA256, signed, header())); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("the same signed request again = %v, want ErrAuthFailed", err)
	}
	f.advance(time.Second) // another Date: another signature

	refusals := map[string]func() SignedRequest{
		"another algorithm than the key's": func() SignedRequest { return sign(signature.HMACSHA1, signed, header()) },
		"a required header unsigned": func() SignedRequest {
			return sign(signature.HMACSHA256, []string{"(request-target)", "date"}, header())
		},
		"date unsigned": func() SignedRequest {
			return sign(signature.HMACSHA256, []string{"(request-target)", "digest"}, header())
		},
		"a Date past the skew": func() SignedRequest {
			h := header()
			h.Set("Date", f.clock.Add(-DefaultSignatureSkew-time.Second).Format(http.TimeFormat))
			return sign(signature.HMACSHA256, signed, h)
		},
		"a Date ahead past the skew": func() SignedRequest {
			h := header()
			h.Set("Date", f.clock.Add(DefaultSignatureSkew+time.Second).Format(http.TimeFormat))
			return sign(signature.HMACSHA256, signed, h)
		},
		"a signed digest of another body": func() SignedRequest {
			h := header()
			h.Set("Digest", digestOf([]byte(`{"name":"Other"}`)))
			return sign(signature.HMACSHA256, signed, h)
		},
		"another target than signed": func() SignedRequest {
			req := sign(signature.HMACSHA256, signed, header())
			req.Target = "/v1/products?x=2"
			return req
		},
		"a wrong secret": func() SignedRequest {
			return signedRequest(t, k.ID.String(), secret+"x", signature.HMACSHA256, signed, "POST", "/v1/products?x=1", header(), body)
		},
		"an unknown key": func() SignedRequest {
			return signedRequest(t, "0190e0a0-0000-7000-8000-000000000000", secret, signature.HMACSHA256, signed, "POST", "/v1/products?x=1", header(), body)
		},
		"a keyId that is no ID": func() SignedRequest {
			return signedRequest(t, "portal", secret, signature.HMACSHA256, signed, "POST", "/v1/products?x=1", header(), body)
		},
		"a malformed header": func() SignedRequest { return SignedRequest{Authorization: `Signature keyId=portal`, Header: header()} },
	}
	for name, req := range refusals {
		if _, err := check(req()); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("%s = %v, want ErrAuthFailed", name, err)
		}
	}

	if _, _, err := f.svc.SigningKeys.Create(f.ctx, p, NewSigningKey{Name: "successor", Algorithm: signature.HMACSHA256}); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("CreateSigningKey(by a signature) = %v, want ErrPermissionDenied", err)
	}
	if _, _, err := f.svc.APIKeys.Create(f.ctx, p, NewAPIKey{Name: "escape"}); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("CreateAPIKey(by a signature) = %v, want ErrPermissionDenied", err)
	}
	if _, _, err := f.svc.AccessTokens.Issue(f.ctx, p, Origin{IP: otherIP}); !errors.Is(err, ErrPermissionDenied) {
		t.Errorf("IssueToken(by a signature) = %v, want ErrPermissionDenied", err)
	}

	f.run("another master key", func(t *testing.T) {
		cfg := testConfig()
		cfg.Secrets, _ = sealed.New([]sealed.Key{sealed.RandomKey("other")})
		other := f.service(cfg)
		if _, err := other.SigningKeys.Authenticate(f.ctx, sign(signature.HMACSHA256, signed, header()), Origin{}); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("verifying without the master key that sealed the secret = %v, want ErrAuthFailed", err)
		}
	})
	f.run("revoke", func(t *testing.T) {
		if err := f.svc.SigningKeys.Revoke(f.ctx, owner, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := check(sign(signature.HMACSHA256, signed, header())); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("a revoked key's signature = %v, want ErrAuthFailed", err)
		}
	})
}

// By default a signature covers the route, the host and the date, and the
// digest of a body; a legacy date-only key takes the date alone. Either
// way a signature makes a change once.
func testSignatureRules(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	owner := f.sessionPrincipal("shop")
	newKey := func(legacy bool) (string, string) {
		k, secret, err := f.svc.SigningKeys.Create(f.ctx, owner, NewSigningKey{Name: "k", Algorithm: signature.HMACSHA256, LegacyDateOnly: legacy})
		if err != nil || k.LegacyDateOnly != legacy {
			t.Fatalf("CreateSigningKey(legacy %v) = %+v, %v", legacy, k, err)
		}
		return k.ID.String(), secret
	}
	body := []byte(`{"name":"Signed"}`)
	request := func(keyID, secret string, headers []string, body []byte) SignedRequest {
		f.advance(time.Second) // a new Date, so no signature repeats by chance
		h := http.Header{"Date": {f.clock.Format(http.TimeFormat)}, "Digest": {digestOf(body)}, "Host": {"billgate.test"}}
		return signedRequest(t, keyID, secret, signature.HMACSHA256, headers, "POST", "/v1/products", h, body)
	}
	bound := []string{"(request-target)", "host", "date"}
	defaultKey, defaultSecret := newKey(false)
	legacyKey, legacySecret := newKey(true)
	tests := []struct {
		name          string
		keyID, secret string
		headers       []string
		body          []byte
		ok            bool
	}{
		{"default: the date alone", defaultKey, defaultSecret, []string{"date"}, nil, false},
		{"default: no host", defaultKey, defaultSecret, []string{"(request-target)", "date"}, nil, false},
		{"default: no route", defaultKey, defaultSecret, []string{"host", "date"}, nil, false},
		{"default: no body, no digest", defaultKey, defaultSecret, bound, nil, true},
		{"default: a body without its digest", defaultKey, defaultSecret, bound, body, false},
		{"default: a body with its digest", defaultKey, defaultSecret, append(bound, "digest"), body, true},
		{"legacy: the date alone", legacyKey, legacySecret, []string{"date"}, body, true},
		{"legacy: no date", legacyKey, legacySecret, []string{"(request-target)"}, nil, false},
	}
	for _, tt := range tests {
		req := request(tt.keyID, tt.secret, tt.headers, tt.body)
		_, err := f.svc.SigningKeys.Authenticate(f.ctx, req, Origin{IP: otherIP})
		if tt.ok != (err == nil) {
			t.Errorf("%s = %v, want ok %v", tt.name, err, tt.ok)
		}
		if !tt.ok {
			continue
		}
		if _, err := f.svc.SigningKeys.Authenticate(f.ctx, req, Origin{IP: otherIP}); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("%s, again = %v, want ErrAuthFailed", tt.name, err)
		}
	}

	// A read may present its signature again (a poll within the Date's
	// second), but a change never follows a signature already seen.
	f.advance(time.Second)
	h := http.Header{"Date": {f.clock.Format(http.TimeFormat)}, "Host": {"billgate.test"}}
	read := signedRequest(t, legacyKey, legacySecret, signature.HMACSHA256, []string{"date"}, "GET", "/v1/profile", h, nil)
	for i := range 2 {
		if _, err := f.svc.SigningKeys.Authenticate(f.ctx, read, Origin{IP: otherIP}); err != nil {
			t.Errorf("a signed read, time %d = %v, want ok", i+1, err)
		}
	}
	change := read
	change.Method, change.Target = "DELETE", "/auth/sessions"
	if _, err := f.svc.SigningKeys.Authenticate(f.ctx, change, Origin{IP: otherIP}); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("a read's legacy signature on a change = %v, want ErrAuthFailed", err)
	}
}
