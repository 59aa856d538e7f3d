// Package skrilltest is an in-process Skrill for tests: Quick Checkout, the
// Merchant Query Interface, refunds and 1-Tap payments of one merchant
// account, following Skrill's guides field by field (the Quick Checkout
// Integration Guide and the Automated Payments and Merchant Query
// Interfaces Guide; each handler names the section it follows).
//
// Tests play the payer with Pay, PayPending, Cancel and Fail on a Quick
// Checkout session, and Skrill's back office with Settle, Chargeback,
// CancelOneTap and DeclineNextOneTap. Each status change is posted to the
// session's status_url, signed with md5sig (and sha2sig when
// Options.SHA2), and posted again until the receiver answers 200, at most
// Options.MaxDeliveries times, at once (no waiting between attempts).
// FailNext and LoseNextAnswer inject the outages a client must survive.
//
// Where the guides name no error for a case, the server answers with a code
// of its own, marked as such where it is defined.
package skrilltest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// The paths the server serves (Skrill's: Quick Checkout at the root of
// pay.skrill.com, the interfaces under www.skrill.com/app).
const (
	CheckoutPath = "/"
	QueryPath    = "/app/query.pl"
	RefundPath   = "/app/refund.pl"
	OneTapPath   = "/app/ondemand_request.pl"
)

// sessionLifetime is how long a session ID of the Automated Payment
// Interface lasts (SESSION_EXPIRED: "Session IDs are only valid for 15
// minutes").
const sessionLifetime = 15 * time.Minute

// Options describes the merchant account the server plays.
type Options struct {
	// MerchantID is the account's merchant_id; empty means "100005".
	MerchantID string
	// Email is the account's email (pay_to_email, and the API login);
	// empty means "merchant@example.com".
	Email string
	// SecretWord signs status posts; empty means "secret".
	SecretWord string
	// APIPassword is the API/MQI password; empty means "mqi-pass1".
	APIPassword string
	// SHA2 adds sha2sig to status posts, as Merchant Services can enable.
	SHA2 bool
	// SecureReturnURL adds transaction_id and msid to return_url, as
	// Merchant Services can enable (Quick Checkout Integration Guide,
	// "Account and integration options", "Secure return_url parameter").
	SecureReturnURL bool
	// MaxDeliveries is how many times a status post is tried before the
	// server gives up; zero means 10.
	MaxDeliveries int
	// Clock is the server's time; nil means time.Now.
	Clock func() time.Time
	// HTTPClient posts the status reports; nil means a client with a
	// 10-second timeout.
	HTTPClient *http.Client
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.MerchantID, "100005")
	def(&o.Email, "merchant@example.com")
	def(&o.SecretWord, "secret")
	def(&o.APIPassword, "mqi-pass1")
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = 10
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return o
}

// Server is the fake Skrill. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server
	mux  *http.ServeMux

	mu          sync.Mutex
	checkouts   map[string]*checkout    // by SID
	apiSessions map[string]*apiSession  // by SID
	payments    map[string]*transaction // by our transaction_id: the latest payment under it
	byMBID      map[string]*transaction // by mb_transaction_id, refunds too
	mandates    map[string]*mandate     // by rec_payment_id
	failures    map[string][]int        // injected HTTP statuses, by path
	losses      map[string]int          // answers to lose, by path
	// refundStatuses are the statuses the next refunds end with.
	refundStatuses []int
	deliveries     []Delivery
	nextID         int64
}

// New starts a server; Close stops it.
func New(opts Options) *Server {
	s := &Server{
		opts:        opts.withDefaults(),
		mux:         http.NewServeMux(),
		checkouts:   map[string]*checkout{},
		apiSessions: map[string]*apiSession{},
		payments:    map[string]*transaction{},
		byMBID:      map[string]*transaction{},
		mandates:    map[string]*mandate{},
		failures:    map[string][]int{},
		losses:      map[string]int{},
		nextID:      100000000,
	}
	s.mux.HandleFunc(CheckoutPath, s.serveCheckout)
	s.mux.HandleFunc(QueryPath, s.serveQuery)
	s.mux.HandleFunc(RefundPath, s.serveRefund)
	s.mux.HandleFunc(OneTapPath, s.serveOneTap)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// CheckoutURL is Quick Checkout's address (pay.skrill.com's stand-in).
func (s *Server) CheckoutURL() string { return s.srv.URL }

// APIURL is the interfaces' address (www.skrill.com/app's stand-in).
func (s *Server) APIURL() string { return s.srv.URL + "/app" }

// Options is the account the server plays, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// FailNext makes the next request to target answer the HTTP status (a
// 503, say) without being carried out. target is a path, or a path and an
// action ("/app/refund.pl?action=refund") to match only that action's
// requests. Calls add up.
func (s *Server) FailNext(target string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[target] = append(s.failures[target], status)
}

// LoseNextAnswer makes the next request to target (as in FailNext) be
// carried out and its connection closed before the answer: the client
// cannot know what happened.
func (s *Server) LoseNextAnswer(target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losses[target]++
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, lose := s.takeFault(r.URL.Path+"?action="+r.Form.Get("action"), r.URL.Path)
	switch {
	case status != 0:
		http.Error(w, http.StatusText(status), status)
	case lose:
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	default:
		s.mux.ServeHTTP(w, r)
	}
}

// takeFault uses up the first fault injected for one of targets.
func (s *Server) takeFault(targets ...string) (status int, lose bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, target := range targets {
		if fs := s.failures[target]; len(fs) > 0 {
			s.failures[target] = fs[1:]
			return fs[0], false
		}
		if s.losses[target] > 0 {
			s.losses[target]--
			return 0, true
		}
	}
	return 0, false
}

// newID is the next Skrill ID (mb_transaction_id, rec_payment_id, customer
// IDs). Callers hold s.mu.
func (s *Server) newID() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// newSID is a session ID: 32 hex digits, as Skrill's.
func newSID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
