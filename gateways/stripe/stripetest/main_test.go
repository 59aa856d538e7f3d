package stripetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
	"github.com/billgate/billgate/internal/stripemock"
)

// stripeMock is the base URL of the stripe-mock the package's tests share.
var stripeMock string

func TestMain(m *testing.M) { stripemock.Main(m, &stripeMock) }

const testKey = "sk_test_51stripetest"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type clock = settableclock.Clock

// client speaks Stripe's wire format to a server, as curl would.
type client struct {
	t    *testing.T
	base string
	key  string
}

// answer is a decoded answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// errorField is a field of the answer's error object.
func (a answer) errorField(name string) string {
	e, _ := a.body["error"].(map[string]any)
	s, _ := e[name].(string)
	return s
}

func (a answer) str(name string) string {
	s, _ := a.body[name].(string)
	return s
}

func (c client) do(method, path string, form url.Values, idempotencyKey string) answer {
	c.t.Helper()
	var body io.Reader
	target := c.base + path
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		target += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	if err := json.Unmarshal(a.raw, &a.body); err != nil {
		c.t.Fatalf("%s %s answered %d with a body that is not a JSON object: %s", method, path, resp.StatusCode, a.raw)
	}
	return a
}

func (c client) post(path string, form url.Values, key string) answer {
	c.t.Helper()
	return c.do(http.MethodPost, path, form, key)
}

func (c client) get(path string) answer {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, "")
}

// start is a server validated by stripe-mock, at a settable time, and a
// client of it.
func start(t *testing.T, opts stripetest.Options) (*stripetest.Server, client, *clock) {
	t.Helper()
	c := settableclock.At(t0)
	if opts.Clock == nil {
		opts.Clock = c.Now
	}
	opts.StripeMock = stripeMock
	s := stripetest.Start(t, opts)
	return s, client{t: t, base: s.URL(), key: testKey}, c
}

// offSession is the form of an off-session PaymentIntent confirmed at
// creation, as billgate's gateway sends it.
func offSession(customer, method string) url.Values {
	return url.Values{
		"amount": {"1999"}, "currency": {"usd"}, "customer": {customer}, "payment_method": {method},
		"confirm": {"true"}, "off_session": {"true"},
		"automatic_payment_methods[enabled]": {"true"}, "automatic_payment_methods[allow_redirects]": {"never"},
		"metadata[billgate_idempotency_key]": {"pay_1/1"},
	}
}

func saved(t *testing.T, s *stripetest.Server, method string) (string, string) {
	t.Helper()
	cus, pm, err := s.SaveMethod(method)
	if err != nil {
		t.Fatalf("SaveMethod(%s) = %v", method, err)
	}
	return cus, pm
}
