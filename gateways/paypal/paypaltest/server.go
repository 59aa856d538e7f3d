// Package paypaltest is an in-process PayPal for tests: an HTTPS server
// that follows PayPal's published OpenAPI documents
// (github.com/paypal/paypal-rest-api-specifications, openapi/*.json) field
// by field for what billgate uses of them: the OAuth 2.0 token endpoint,
// Orders v2 (create, get, patch, capture), Payments v2 (captures get and
// refund, refunds get), Payment Method Tokens v3 (get), PayPal-Request-Id
// idempotency for as long as PayPal holds the IDs, the account's blocking
// of duplicate invoice IDs, and the documented error bodies. Test buyers
// approve, decline or leave a capture pending (Approve, Cancel and the
// checkout page), refunds can be left pending and settled (RefundOutcome,
// SettleRefund) or made in the dashboard, outside the API
// (RefundInDashboard), and the server signs webhooks as PayPal does, with a
// certificate of its own authority served at its certificate URL
// (RegisterWebhook, Deliver, Signer).
//
// It is written from the specification, not from the adapter, so that a
// field the adapter misnames fails here: request bodies are decoded
// strictly, and a field the server does not model is refused with the
// spec's 400 NOT_SUPPORTED.
package paypaltest

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Default credentials of a Server.
const (
	DefaultClientID     = "AbgTestClientId0123456789"
	DefaultClientSecret = "EbgTestClientSecret0123456789"
)

// DefaultTokenTTL is the lifetime of an access token (PayPal's are about 9
// hours).
const DefaultTokenTTL = 32400 * time.Second

// Options configures a Server.
type Options struct {
	// ClientID and ClientSecret are the credentials the token endpoint
	// takes; empty means the defaults.
	ClientID, ClientSecret string
	// TokenTTL is the expires_in of access tokens; zero means
	// DefaultTokenTTL.
	TokenTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// WebhookClient posts the webhooks; nil means a client with a 10 s
	// timeout.
	WebhookClient *http.Client
	// OrderRequestIDRetention is how long the Orders API holds a
	// PayPal-Request-Id; zero means DefaultOrderRequestIDRetention.
	OrderRequestIDRetention time.Duration
	// AllowDuplicateInvoiceIDs is the account's "Block accidental
	// payments" preference set to "No, allow multiple payments per invoice
	// ID". The zero value blocks them, PayPal's default: capturing an
	// invoice_id another capture has is refused with 422
	// DUPLICATE_INVOICE_ID.
	AllowDuplicateInvoiceIDs bool
}

// Server is the in-process PayPal. It is safe for concurrent use.
type Server struct {
	ts   *httptest.Server
	opts Options
	now  func() time.Time

	mu         sync.Mutex
	tokens     map[string]time.Time // access token: expiry
	orders     map[string]*orderState
	captures   map[string]*captureState
	refunds    map[string]*refundState
	vault      map[string]*vaultToken
	requestIDs map[string]map[string]heldRequest // operation: PayPal-Request-Id: what it made
	calls      map[string]int
	failNext   []int
	refundWith string
	events     []*Event
	webhook    webhook
	certs      map[string][]byte // certificate ID: PEM chain

	pki    *pki
	signer *Signer
}

// New starts a Server; Close stops it.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.OrderRequestIDRetention <= 0 {
		opts.OrderRequestIDRetention = DefaultOrderRequestIDRetention
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{
		opts:       opts,
		now:        opts.Now,
		tokens:     map[string]time.Time{},
		orders:     map[string]*orderState{},
		captures:   map[string]*captureState{},
		refunds:    map[string]*refundState{},
		vault:      map[string]*vaultToken{},
		requestIDs: map[string]map[string]heldRequest{},
		calls:      map[string]int{},
		refundWith: refundCompleted,
		certs:      map[string][]byte{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ts = httptest.NewTLSServer(s.routes())
	s.pki = newPKI(s.now())
	s.signer = s.IssueSigner(IssueOptions{})
	return s
}

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// URL is the server's base URL, the adapter's Connector.BaseURL.
func (s *Server) URL() string { return s.ts.URL }

// Client is an HTTP client that trusts the server's TLS certificate, the
// adapter's Connector.HTTPClient.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// TLSRootPEM is the server's TLS certificate in PEM, for a process that
// cannot be handed Client: Go reads it as the only root from the file named
// by SSL_CERT_FILE.
func (s *Server) TLSRootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
}

// CertHost is the host:port webhook certificates are served from, for the
// adapter's Connector.CertHosts.
func (s *Server) CertHost() string {
	u, _ := url.Parse(s.ts.URL)
	return u.Host
}

// CertPool holds the root of the server's webhook certificates, for the
// adapter's Connector.CertRoots.
func (s *Server) CertPool() *x509.CertPool { return s.pki.trusted.pool() }

// Credentials are the account credentials the server takes, by the
// adapter's credential names, with webhookID (see RegisterWebhook).
func (s *Server) Credentials(webhookID string) map[string]string {
	return map[string]string{"clientId": s.opts.ClientID, "clientSecret": s.opts.ClientSecret, "webhookId": webhookID}
}

// Calls is how many requests reached the operation (the spec's operation
// ID, e.g. "orders.capture"; "oauth2.token" for the token endpoint,
// "certs.get" for certificate downloads), answered or not.
func (s *Server) Calls(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[operation]
}

// FailNext answers the next n API requests (after authentication) with
// status and its error body, without acting on them: 500, 503 or 429 for a
// transient failure.
func (s *Server) FailNext(status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failNext = append(s.failNext, status)
	}
}

// ExpireTokens forgets every access token, as if they had expired: the
// next API call is refused with 401 until a new token is fetched.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// routes is the server's API surface, by the specs' operation IDs.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", s.counted("oauth2.token", s.token))
	mux.HandleFunc("POST /v2/checkout/orders", s.api("orders.create", s.createOrder))
	mux.HandleFunc("GET /v2/checkout/orders/{id}", s.api("orders.get", s.getOrder))
	mux.HandleFunc("PATCH /v2/checkout/orders/{id}", s.api("orders.patch", s.patchOrder))
	mux.HandleFunc("POST /v2/checkout/orders/{id}/capture", s.api("orders.capture", s.captureOrder))
	mux.HandleFunc("GET /v2/payments/captures/{id}", s.api("captures.get", s.getCapture))
	mux.HandleFunc("POST /v2/payments/captures/{id}/refund", s.api("captures.refund", s.refundCapture))
	mux.HandleFunc("GET /v2/payments/refunds/{id}", s.api("refunds.get", s.getRefund))
	mux.HandleFunc("GET /v3/vault/payment-tokens/{id}", s.api("payment-tokens.get", s.getPaymentToken))
	mux.HandleFunc("GET /v1/notifications/certs/{id}", s.counted("certs.get", s.getCert))
	mux.HandleFunc("GET "+CheckoutPath, s.checkoutPage)
	mux.HandleFunc("POST "+CheckoutPath, s.checkoutDecision)
	return mux
}

// counted counts the operation's requests.
func (s *Server) counted(op string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[op]++
		s.mu.Unlock()
		h(w, r)
	}
}

// api guards an API operation: a bearer access token the token endpoint
// gave and that has not expired (every operation's security is Oauth2),
// then any failure FailNext asked for. The handler runs with the state
// locked.
func (s *Server) api(op string, h http.HandlerFunc) http.HandlerFunc {
	return s.counted(op, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			s.writeError(w, http.StatusUnauthorized)
			return
		}
		if exp, known := s.tokens[tok]; !known || !s.now().Before(exp) {
			// PayPal answers an unknown or expired token in OAuth's form.
			s.writeJSON(w, http.StatusUnauthorized, oauthError{Error: "invalid_token", ErrorDescription: "Access Token not found in cache"})
			return
		}
		if len(s.failNext) > 0 {
			status := s.failNext[0]
			s.failNext = s.failNext[1:]
			s.writeError(w, status)
			return
		}
		h(w, r)
	})
}

// debugID is a PayPal debug_id: 13 hex digits.
func (s *Server) debugID() string { return randomHex(7)[:13] }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newID is a PayPal resource ID: n upper-case letters and digits (order,
// capture and refund IDs have 17).
func newID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
