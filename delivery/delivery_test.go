package delivery

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/billgate/billgate/outbound"
	"github.com/billgate/billgate/safehttp"
)

// local lets a test's receiver on loopback be reached.
var local = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func sender() Sender {
	return Sender{Client: safehttp.NewClient(safehttp.Options{Timeout: 2 * time.Second, Allow: local}), Now: time.Now}
}

// receiver answers every request with status, body and header, after
// check has looked at it.
func receiver(t *testing.T, status int, header http.Header, body string, check func(*http.Request, []byte)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, _ := io.ReadAll(r.Body)
		if check != nil {
			check(r, payload)
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var message = Message{ID: "01a23a4a-0000-7000-8000-000000000001", Payload: []byte(`{"type":"invoice.paid","data":{"object":{"id":"inv_1"}}}`)}

// Each delivery carries the Standard Webhooks signature, which the
// project's own library verifies, and the endpoint's ESPF scheme, which
// each scheme's verifier takes.
func TestSignedAndAuthenticated(t *testing.T) {
	secret := outbound.NewSecret()
	key, _ := outbound.ParseSecret(secret)
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		auth  outbound.Auth
		check func(t *testing.T, r *http.Request)
	}{
		"none": {outbound.Auth{}, func(t *testing.T, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("Authorization = %q, want none", r.Header.Get("Authorization"))
			}
		}},
		"basic": {outbound.Auth{Scheme: outbound.SchemeBasic, User: "billgate", Secret: "pw"}, func(t *testing.T, r *http.Request) {
			if user, pw, ok := r.BasicAuth(); !ok || user != "billgate" || pw != "pw" {
				t.Errorf("basic = %q %q %v", user, pw, ok)
			}
		}},
		"custom": {outbound.Auth{Scheme: outbound.SchemeCustom, Name: "Plain", Secret: "passexample"}, func(t *testing.T, r *http.Request) {
			if got := r.Header.Get("Authorization"); got != "Plain passexample" {
				t.Errorf("Authorization = %q", got)
			}
		}},
		"bearer": {outbound.Auth{Scheme: outbound.SchemeBearer, Claims: json.RawMessage(`{"i_env":3}`), ExpiryClaim: "Exp", Secret: "superkey"},
			func(t *testing.T, r *http.Request) {
				raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				claims := jwt.MapClaims{}
				_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte("superkey"), nil }, jwt.WithValidMethods([]string{"HS256"}))
				if !ok || err != nil || claims["i_env"] != float64(3) || claims["Exp"] == nil {
					t.Errorf("bearer %q: %v, claims %v", raw, err, claims)
				}
			}},
	} {
		t.Run(name, func(t *testing.T) {
			var got *http.Request
			var body []byte
			url := receiver(t, http.StatusNoContent, nil, "", func(r *http.Request, payload []byte) { got, body = r, payload })
			res := sender().Send(context.Background(), Target{URL: url, Signing: [][]byte{key}, Auth: tt.auth}, message)
			if res.Outcome != Delivered || res.StatusCode != http.StatusNoContent || got == nil {
				t.Fatalf("Send = %+v", res)
			}
			if err := verifier.Verify(body, got.Header); err != nil {
				t.Errorf("the Standard Webhooks library refuses the delivery: %v", err)
			}
			if got.Header.Get("webhook-id") != message.ID || got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") != UserAgent {
				t.Errorf("headers = %v", got.Header)
			}
			tt.check(t, got)
		})
	}
}

// What the receiver answers decides the outcome.
func TestOutcomes(t *testing.T) {
	key, _ := outbound.ParseSecret(outbound.NewSecret())
	later := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for name, tt := range map[string]struct {
		status     int
		header     http.Header
		body       string
		want       Outcome
		retryAfter time.Duration
	}{
		"2xx":                 {http.StatusAccepted, nil, "", Delivered, 0},
		"410":                 {http.StatusGone, nil, "", Gone, 0},
		"500":                 {http.StatusInternalServerError, nil, "boom", Retry, 0},
		"429 in seconds":      {http.StatusTooManyRequests, http.Header{"Retry-After": {"120"}}, "", Retry, 2 * time.Minute},
		"503 at a date":       {http.StatusServiceUnavailable, http.Header{"Retry-After": {later}}, "", Retry, 90 * time.Second},
		"429 asking too long": {http.StatusTooManyRequests, http.Header{"Retry-After": {"9999999999"}}, "", Retry, MaxRetryAfter},
		"a redirect":          {http.StatusFound, http.Header{"Location": {"http://169.254.169.254/"}}, "", Retry, 0},
	} {
		url := receiver(t, tt.status, tt.header, tt.body, nil)
		res := sender().Send(context.Background(), Target{URL: url, Signing: [][]byte{key}}, message)
		if res.Outcome != tt.want || res.StatusCode != tt.status || res.Body != tt.body {
			t.Errorf("%s: Send = %+v, want %s", name, res, tt.want)
		}
		if d := res.RetryAfter - tt.retryAfter; d < -2*time.Second || d > 2*time.Second {
			t.Errorf("%s: RetryAfter = %s, want %s", name, res.RetryAfter, tt.retryAfter)
		}
	}
}

// An internal address is refused for good; a receiver that does not
// answer is retried; a long answer is kept in part.
func TestRefusedRetriedAndCapped(t *testing.T) {
	key, _ := outbound.ParseSecret(outbound.NewSecret())
	strict := Sender{Client: safehttp.NewClient(safehttp.Options{Timeout: time.Second}), Now: time.Now}
	for _, url := range []string{"http://127.0.0.1:9/", "http://169.254.169.254/latest/meta-data/"} {
		if res := strict.Send(context.Background(), Target{URL: url, Signing: [][]byte{key}}, message); res.Outcome != Refused || !strings.Contains(res.Error, "internal") {
			t.Errorf("Send to %s = %+v, want refused as internal", url, res)
		}
	}
	if res := sender().Send(context.Background(), Target{URL: "http://127.0.0.1:9/", Signing: [][]byte{key}}, message); res.Outcome != Retry || res.Error == "" {
		t.Errorf("Send to a closed port = %+v, want a retry", res)
	}
	long := receiver(t, http.StatusOK, nil, strings.Repeat("x", MaxBody+10), nil)
	if res := sender().Send(context.Background(), Target{URL: long, Signing: [][]byte{key}}, message); len(res.Body) != MaxBody || !res.Truncated {
		t.Errorf("a long answer kept %d bytes, truncated %v", len(res.Body), res.Truncated)
	}
	if res := sender().Send(context.Background(), Target{URL: long, Signing: nil}, message); res.Outcome != Refused {
		t.Errorf("Send with no signing key = %+v, want refused", res)
	}
	bad := outbound.Auth{Scheme: outbound.SchemeBasic}
	if res := sender().Send(context.Background(), Target{URL: long, Signing: [][]byte{key}, Auth: bad}, message); res.Outcome != Refused {
		t.Errorf("Send with a broken scheme = %+v, want refused", res)
	}
}
