package outbound

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/signature"
	"github.com/billgate/billgate/internal/httpsigtest"
)

// TestAuthorizeSignatureExact pins the headers of fixed deliveries: Date
// in UTC, and MACs of "date: Sat, 07 Jun 2014 20:51:35 GMT" as openssl
// computes them (printf '%s' "$signing" | openssl dgst -sha256 -hmac
// "$secret" -binary | base64).
func TestAuthorizeSignatureExact(t *testing.T) {
	at := time.Date(2014, 6, 7, 22, 51, 35, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct{ algorithm, mac string }{
		{"hmac-sha256", "YBI3wRkTkrIO0iD+SnOpHMCQeQeNHKCMXYNo8k6rLBs="},
		{"hmac-sha1", "qwlA7cEooU1HaK98rxdv88ZriSU="},
	}
	for _, tt := range tests {
		t.Run(tt.algorithm, func(t *testing.T) {
			a := Auth{Scheme: SchemeSignature, KeyID: "porta-1", Algorithm: tt.algorithm, Secret: "portabilling-shared-secret-0001"}
			h := http.Header{}
			if err := a.Authorize(h, at); err != nil {
				t.Fatal(err)
			}
			checkHeaders(t, h, http.Header{
				"Date":          {"Sat, 07 Jun 2014 20:51:35 GMT"},
				"Authorization": {`Signature keyId="porta-1",algorithm="` + tt.algorithm + `",headers="date",signature="` + tt.mac + `"`},
			})
		})
	}
}

// TestAuthorizeSignatureHTTPSignature has npm http-signature, the
// reference implementation, verify deliveries as a receiver would, with
// its default five-minute clock skew against the real clock.
func TestAuthorizeSignatureHTTPSignature(t *testing.T) {
	verify := httpsigtest.Verifier(t)
	now := time.Now()
	tests := []struct {
		name      string
		algorithm string
		at        time.Time
		secret    string // the receiver's
		tamper    func(http.Header)
		want      string
	}{
		{"hmac-sha1", "hmac-sha1", now, testSecret, nil, "ok"},
		{"hmac-sha256", "hmac-sha256", now, testSecret, nil, "ok"},
		{"a minute old", "hmac-sha1", now.Add(-time.Minute), testSecret, nil, "ok"},

		{"another secret", "hmac-sha1", now, "another secret", nil, "fail: signature does not match"},
		{"Date moved by a second", "hmac-sha256", now, testSecret,
			func(h http.Header) { h.Set("Date", now.Add(time.Second).UTC().Format(http.TimeFormat)) },
			"fail: signature does not match"},
		{"an hour old", "hmac-sha1", now.Add(-time.Hour), testSecret, nil, "fail: clock skew of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}}
			a := Auth{Scheme: SchemeSignature, KeyID: "billgate-1", Algorithm: tt.algorithm, Secret: testSecret}
			if err := a.Authorize(h, tt.at); err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tt.tamper(h)
			}
			if got := verify(t, "POST", "/espf/events", h, tt.secret); !strings.HasPrefix(got, tt.want) {
				t.Errorf("http-signature says %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAuthorizeSignatureBillgateVerifier has billgate's own inbound
// verifier, which PortaBilling's requests pass, read what it sends.
func TestAuthorizeSignatureBillgateVerifier(t *testing.T) {
	for _, alg := range []string{signature.HMACSHA1, signature.HMACSHA256} {
		t.Run(alg, func(t *testing.T) {
			now := time.Now()
			a := Auth{Scheme: SchemeSignature, KeyID: "billgate-1", Algorithm: alg, Secret: testSecret}
			h := http.Header{}
			if err := a.Authorize(h, now); err != nil {
				t.Fatal(err)
			}
			p, err := signature.ParseAuthorization(h.Get("Authorization"))
			if err != nil {
				t.Fatal(err)
			}
			if p.KeyID != "billgate-1" || p.Algorithm != alg || len(p.Headers) != 1 || p.Headers[0] != "date" {
				t.Errorf("ParseAuthorization() = %+v", p)
			}
			if _, err := signature.CheckDate(h.Get("Date"), now, time.Second); err != nil {
				t.Error(err)
			}
			signing, err := p.SigningString("POST", "/espf/events", h)
			if err != nil || !signature.Verify(p.Algorithm, []byte(testSecret), signing, p.Signature) {
				t.Errorf("Verify() = false, %v; want true", err)
			}
		})
	}
}
