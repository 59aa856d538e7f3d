// Package api is billgate's HTTP surface: gin routes, middleware and the
// JSON envelope. routes.go lists every route.
package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/converter"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/catalog"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/listenmode"
	"github.com/billgate/billgate/reports"
	"github.com/billgate/billgate/sales"
	"github.com/billgate/billgate/testclocks"
	"github.com/billgate/billgate/webhookendpoints"
)

// Deps is everything the HTTP layer needs, passed in by the caller.
type Deps struct {
	Logger    *slog.Logger
	Metrics   *Metrics
	Checks    []Check  // what /readyz probes
	Reports   []Report // what /readyz tells besides
	BodyLimit int64    // largest request body, in bytes
	// MetricsApart leaves /metrics off this handler: the process serves it
	// on a listener of its own (MetricsHandler), away from the public API.
	MetricsApart bool
	// Authn authenticates requests; without it only the ops routes are
	// served. The identity core's other features are each their own.
	Authn        RequestAuthenticator
	Logins       Logins
	Sessions     Sessions
	AccessTokens AccessTokens
	APIKeys      APIKeys
	SigningKeys  SigningKeys

	Accounts *accounts.Service // account administration and the audit trail
	Roles    Roles             // the role and policy store
	Catalog  *catalog.Service  // products and prices
	// GatewayAccounts are the businesses' connected gateway accounts.
	GatewayAccounts *gatewayaccounts.Service
	// WebhookEndpoints are businesses' webhook endpoints.
	WebhookEndpoints *webhookendpoints.Service
	// Streams feeds the live event streams, and IdentityWatch tells them
	// when a client's identity changed.
	Streams       *eventstream.Hub
	IdentityWatch *eventstream.Watch
	// StreamBuffer is how many events a stream may fall behind by before
	// it is closed (1013) to resume from its last event ID; zero is
	// DefaultStreamBuffer.
	StreamBuffer int
	// PublicURL is billgate's address as gateways and payers reach it.
	PublicURL string
	// The sandbox gateway's approval page and webhooks, served unless
	// Sandbox is nil, and its ledger, unless SandboxLedger is. Webhooks
	// keeps the events received and Now stamps them; Signaler signals
	// workflows. Sandbox requires all three.
	Sandbox       SandboxGateway
	SandboxLedger SandboxLedger
	Webhooks      Webhooks
	Signaler      Signaler
	// ConnectedWebhooks reads the webhooks of businesses' connected
	// gateway accounts, served unless it is nil; it needs Webhooks and
	// Signaler too.
	ConnectedWebhooks ConnectedWebhooks
	EventPayments     EventPayments
	// Findings are what the reconciliation found.
	Findings Findings
	// Dashboard computes the business dashboard's reports.
	Dashboard *reports.Service
	// Events are the billing events, for GET /v1/events.
	Events EventLog
	// Billing reads subscriptions, invoices and payments; Sales sells and
	// changes them; TestClocks runs businesses' simulated time.
	Billing    BillingStore
	Sales      *sales.Service
	TestClocks *testclocks.Service
	// Now is the time; time.Now unless a test fixes it.
	Now func() time.Time
	// IdempotencyKeys keeps Idempotency-Key answers for the POSTs that create.
	IdempotencyKeys IdempotencyKeys
	// CookieSecure adds Secure to the sid cookie (BILLGATE_COOKIE_SECURE).
	CookieSecure bool
	// TrustedProxies may set X-Forwarded-For; nobody else's is believed.
	TrustedProxies []string
	// APIKeyScheme is the Authorization scheme that presents API keys
	// (default Plain).
	APIKeyScheme string
	// Observed keeps listen mode's observations, for every API process.
	Observed *listenmode.Observations
	// PayloadCodec seals billgate's Temporal payloads; with it, admins
	// decode them at /temporal-codec, from Namespace alone, and browsers
	// may call it from TemporalUIOrigins.
	PayloadCodec      converter.PayloadCodec
	Namespace         string
	TemporalUIOrigins []string
}

func init() { gin.SetMode(gin.ReleaseMode) }

// NewServer builds the API handler.
func NewServer(d Deps) http.Handler {
	d = d.withDefaults()
	r := newEngine(d)
	apiRoutes(r, d)
	return r
}

// NewOpsServer builds the handler a worker process serves: health, readiness
// and metrics only.
func NewOpsServer(d Deps) http.Handler {
	d = d.withDefaults()
	r := newEngine(d)
	opsRoutes(r, d)
	return r
}

// newEngine is gin with the middleware every billgate handler runs behind, in
// order: security headers first so every answer carries them, then the
// request ID so every later step can log it, recovery last so it sees the
// handler's panic.
func newEngine(d Deps) *gin.Engine {
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		panic(fmt.Sprintf("trusted proxies: %v", err)) // validated by config
	}
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.Use(
		securityHeaders(),
		withRequestID(),
		accessLog(d.Logger, d.Now),
		d.Metrics.observe(d.Now),
		recoverInto500(d.Logger),
		limitBody(d.BodyLimit),
	)
	r.NoRoute(func(c *gin.Context) { fail(c, errNotFound) })
	r.NoMethod(func(c *gin.Context) { fail(c, errMethodNotAllowed) })
	return r
}

func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = 1 << 20
	}
	if d.APIKeyScheme == "" {
		d.APIKeyScheme = "Plain"
	}
	if d.StreamBuffer <= 0 {
		d.StreamBuffer = DefaultStreamBuffer
	}
	if d.IdentityWatch == nil {
		d.IdentityWatch = eventstream.NewWatch()
	}
	return d
}

// NewHTTPServer wraps a handler with timeouts that keep slow or idle clients
// from holding connections.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
