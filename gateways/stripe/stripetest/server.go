// Package stripetest is an in-process Stripe for scenario tests: a stateful
// server of the part of Stripe's API that billgate's Stripe gateway uses
// (PaymentIntents, PaymentMethods attached to Customers, Refunds, Disputes
// and Events), following Stripe's published API reference. stripe-mock
// checks requests' shapes but keeps no state and never declines; this
// server keeps its objects in memory, declines, asks for authentication,
// settles, refunds and disputes as Stripe's documented test payment
// methods do, honours Idempotency-Key, and delivers signed webhooks.
//
// Given stripe-mock's address (Options.StripeMock), it first sends every API
// request there, and answers stripe-mock's own refusal (a 4xx) instead of
// its own: the requests of a scenario are then checked against Stripe's
// OpenAPI specification too.
//
// Test hooks play the payer's, the business's and the bank's part:
// CompleteAction (3-D Secure passed or failed), Settle (a bank debit or
// refund that completes), FailRefund (a refund the payer's bank refuses),
// RefundInDashboard (a refund made outside the API), Dispute (a chargeback),
// and the hosted authentication page a requires_action PaymentIntent
// redirects to, which sends the payer back to the return_url as Stripe
// does.
package stripetest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// APIVersion is the API version of the objects and events served: the
// version of the OpenAPI specification bundled with stripe-mock v0.203.0,
// which the tests check every object against.
const APIVersion = "2026-08-26.dahlia"

// AuthenticationMode is what an off-session confirmation of a card that
// needs 3-D Secure does.
type AuthenticationMode int

const (
	// AuthenticationDeclines is Stripe's documented behaviour
	// (docs.stripe.com/payments/save-and-reuse, "Charge the saved payment
	// method later"): the request fails with HTTP 402, a card_error with
	// code authentication_required, and the PaymentIntent is left in
	// requires_payment_method.
	AuthenticationDeclines AuthenticationMode = iota
	// AuthenticationRedirects leaves the PaymentIntent in requires_action,
	// as an on-session confirmation does: next_action.redirect_to_url
	// points at the server's authentication page when a return_url was
	// given. Stripe does not do this for off-session cards; it serves
	// tests of a gateway's pending-charge path.
	AuthenticationRedirects
	// AuthenticationErrorWithAction fails the request as
	// AuthenticationDeclines does, but with the PaymentIntent in the error
	// left in requires_action, as AuthenticationRedirects leaves it: the
	// shape a gateway that reads the PaymentIntent of an
	// authentication_required error must handle.
	AuthenticationErrorWithAction
)

// Endpoint is a webhook endpoint events are delivered to.
type Endpoint struct {
	URL string
	// Secrets sign each delivery, one v1 signature each: two during a
	// secret roll.
	Secrets []string
}

// Options configures a Server; the zero value serves.
type Options struct {
	// StripeMock is stripe-mock's base URL; when set, every API request is
	// first validated there.
	StripeMock string
	// SecretKey, when set, is the only API key accepted; otherwise any
	// test-mode secret or restricted key is.
	SecretKey string
	// Clock is the server's time (created timestamps, idempotency key
	// expiry, search lag, event signatures); nil means time.Now.
	Clock func() time.Time
	// OffSessionAuthentication: see AuthenticationMode.
	OffSessionAuthentication AuthenticationMode
	// SearchLag is how long a new PaymentIntent stays out of search
	// results: Stripe indexes within a minute, up to an hour during
	// outages (docs.stripe.com/search#data-freshness).
	SearchLag time.Duration
	// Webhooks are where Deliver sends events.
	Webhooks []Endpoint
	// HTTPClient delivers webhooks and reaches stripe-mock; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
}

// Server is an in-process Stripe. It is an http.Handler and safe for
// concurrent use; requests are served one at a time.
type Server struct {
	opts    Options
	baseURL string
	mux     *http.ServeMux

	mu          sync.Mutex
	state       state
	idempotency map[string]*idempotent
	events      []*Event
	payloads    map[string][]byte // event ID → its JSON
	delivered   []int             // per Options.Webhooks, events delivered
}

// New returns a Server whose links (the authentication page) start with
// baseURL, its own address.
func New(baseURL string, opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	s := &Server{
		opts:        opts,
		baseURL:     baseURL,
		state:       newState(),
		idempotency: map[string]*idempotent{},
		payloads:    map[string][]byte{},
		delivered:   make([]int, len(opts.Webhooks)),
	}
	s.mux = s.routes()
	return s
}

// Start serves a new Server on a local port until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil) // listening already: its address is known
	s := New("http://"+ts.Listener.Addr().String(), opts)
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	return s
}

// URL is the server's base URL, the Stripe API address to configure.
func (s *Server) URL() string { return s.baseURL }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.opts.Clock() }
