// Package app wires billgate's parts into running processes. The binary's
// subcommands and the end-to-end harness both build on it, so tests start
// billgate the way production does.
package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/catalog"
	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/eventrelay"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/payloadcodec"
	"github.com/billgate/billgate/listenmode"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/reports"
	"github.com/billgate/billgate/safehttp"
	"github.com/billgate/billgate/sales"
	"github.com/billgate/billgate/testclocks"
	"github.com/billgate/billgate/webhookendpoints"
	"github.com/billgate/billgate/worker"
)

// Options says what one billgate process runs.
type Options struct {
	DB        string   // database URL
	Migrate   bool     // apply migrations at start instead of requiring them
	Temporal  string   // Temporal frontend host:port
	Namespace string   // Temporal namespace
	Queues    []string // task queues to run workers for; none in an API-only process
	ServeAPI  bool     // serve the API; otherwise only health, readiness and metrics
	BodyLimit int64
	// StopTimeout bounds how long workers wait for running activities.
	StopTimeout time.Duration
	Logger      *slog.Logger
	Identity    config.Identity
	// PasswordParams overrides the argon2id cost (tests); zero is OWASP's.
	PasswordParams password.Params
	// PublicURL is where clients reach the API, for the links it hands out.
	PublicURL string
	// Sandbox enables the sandbox gateway, whose tokens "pay" without money:
	// always in dev, in production only when asked for.
	Sandbox bool
	// SandboxSecret signs the sandbox gateway's webhooks; empty makes a
	// random one, which only suits a single API process.
	SandboxSecret string
	// GatewayRate caps the charges a second this process sends each
	// gateway; zero is DefaultGatewayRate.
	GatewayRate int
	// Connectors are the gateways businesses connect their own accounts
	// at; none leaves /v1/gateway-accounts with nothing to connect.
	Connectors connected.Connectors
	// TemporalTLS encrypts the connection to Temporal (and, with a client
	// certificate, authenticates billgate); nil is plain text.
	TemporalTLS *tls.Config
	// TemporalAPIKey is sent as a bearer token on every call; it turns
	// TLS on with the system's roots when TemporalTLS is nil.
	TemporalAPIKey string
	// MetricsApart serves /metrics through App.Metrics, for a listener of
	// its own, instead of on Handler.
	MetricsApart bool
	// WebhookAllow are internal networks webhook deliveries may reach all
	// the same (a receiver on a developer's machine); none in production.
	WebhookAllow []netip.Prefix
}

// DefaultGatewayRate is the charges a second a process sends each gateway
// when Options.GatewayRate is zero.
const DefaultGatewayRate = 50

// App is a started process: its connections, workers and HTTP handler.
type App struct {
	Store    *models.Store
	Temporal client.Client
	Hasher   *password.Hasher
	// stopListening ends the relays of other processes' identity changes
	// and of events to webhook endpoints; listening is those goroutines.
	stopListening context.CancelFunc
	listening     sync.WaitGroup
	Handler       http.Handler
	workers       *worker.Group
	// Activities are what the workers run, with their dependencies.
	Activities *activities.Activities
	// Metrics serves /metrics when Options.MetricsApart; nil otherwise.
	Metrics http.Handler
	// Codec seals every payload Temporal keeps for this process.
	Codec *payloadcodec.Codec
}

// Start connects to the database and Temporal, starts the workers and
// builds the HTTP handler. On error nothing is left running.
func Start(ctx context.Context, o Options) (_ *App, err error) {
	store, err := OpenStore(ctx, o.DB, o.Migrate, o.Logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = store.Close()
		}
	}()
	masters, err := masterKeys(o.Identity.MasterKeys)
	if err != nil {
		return nil, err
	}
	codec := payloadcodec.New(masters)
	tc, err := DialTemporal(ctx, TemporalTarget{HostPort: o.Temporal, Namespace: o.Namespace, TLS: o.TemporalTLS, APIKey: o.TemporalAPIKey, Codec: codec}, o.Logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			tc.Close()
		}
	}()
	if ownsSchedules(o.Queues) {
		if err := EnsureSchedules(ctx, tc); err != nil {
			return nil, err
		}
	}
	registry, sb, err := buildGateways(o, store)
	if err != nil {
		return nil, err
	}
	// Skrill keeps no refund keys: billgate's own record of them is shared
	// by every process, in the store.
	o.Connectors = WithRefundLog(o.Connectors, store.RefundLogs)
	connections := &gatewayaccounts.Service{Store: store.GatewayAccounts, Gateways: o.Connectors, Secrets: masters, Now: time.Now}
	router := gateways.Router{Local: registry, Accounts: &connected.Accounts{Connectors: o.Connectors, Opener: connections, Health: store.GatewayAccounts,
		BaseURL: o.PublicURL, Rate: cmp.Or(o.GatewayRate, DefaultGatewayRate)}}
	wake := eventrelay.Workflows{Client: tc}
	endpoints := &webhookendpoints.Service{Store: store.WebhookEndpoints, Secrets: masters, Outbox: store.WebhookDeliveries, Wake: wake, Now: time.Now}
	acts := &activities.Activities{Store: store, Gateways: router, Now: func() time.Time { return time.Now().UTC() },
		Endpoints: endpoints, Sender: delivery.Sender{Client: safehttp.NewClient(safehttp.Options{Allow: o.WebhookAllow}), Now: time.Now}}
	workers, err := worker.Start(tc, o.Queues, acts, o.StopTimeout)
	if err != nil {
		return nil, err
	}
	a := &App{Store: store, Temporal: tc, Hasher: password.New(cmp.Or(o.PasswordParams, password.DefaultParams())), workers: workers, Activities: acts, Codec: codec}
	deps := api.Deps{Logger: o.Logger, Metrics: api.NewMetrics(), MetricsApart: o.MetricsApart, BodyLimit: o.BodyLimit, Checks: []api.Check{DatabaseCheck(store), TemporalCheck(tc)},
		Reports: []api.Report{GatewaysReport(store)}}
	if o.MetricsApart {
		a.Metrics = api.MetricsHandler(deps.Metrics)
	}
	if o.ServeAPI {
		deps.Checks = append(deps.Checks, WorkersCheck(tc, o.Namespace))
		authCfg, err := authConfig(o.Identity, o.PublicURL, masters)
		if err != nil {
			return nil, err
		}
		authCfg.Variables = payloadVariables(store.Catalog, store.Accounts)
		identity := auth.NewIdentity(auth.NewPersister(store), a.Hasher, authCfg, func() time.Time { return time.Now().UTC() }, o.Logger)
		listening, stop := context.WithCancel(context.Background())
		a.stopListening = stop
		a.listening.Go(func() { store.Listen(listening) })
		// The API renders events, so it relays them to the webhook
		// endpoints: as soon as any process records some, and on a poll.
		relay := eventrelay.New(store.WebhookDeliveries, api.EventPayload, wake, o.Logger)
		store.OnEventsRecorded(relay.Notify)
		a.listening.Go(func() { relay.Run(listening) })
		// Its live streams tail the events every process records.
		streams, watch := eventstream.NewHub(store.EventLog, api.LiveEventFrame, o.Logger), eventstream.NewWatch()
		store.OnEventsRecorded(streams.Notify)
		store.OnIdentityChange(func(c models.IdentityChange) { watch.Changed(c.ClientID) })
		a.listening.Go(func() { streams.Run(listening) })
		deps.Streams, deps.IdentityWatch = streams, watch
		deps.Authn, deps.Logins, deps.Sessions = identity.Requests, identity.Logins, identity.Sessions
		deps.AccessTokens, deps.APIKeys, deps.SigningKeys = identity.AccessTokens, identity.APIKeys, identity.SigningKeys
		deps.Accounts = &accounts.Service{Store: store.Accounts, Sessions: store.Sessions, Hasher: a.Hasher, Trail: store.Audit, Now: time.Now, Log: o.Logger}
		deps.Roles = store.Roles
		deps.Catalog = &catalog.Service{Store: store.Catalog, Now: time.Now}
		deps.GatewayAccounts, deps.PublicURL = connections, o.PublicURL
		deps.WebhookEndpoints = endpoints
		if sb != nil {
			deps.Sandbox, deps.SandboxLedger = sandboxRoutes{sb}, sandboxRoutes{sb}
		}
		deps.Webhooks, deps.Signaler, deps.Now = store.WebhookEvents, tc, time.Now
		deps.ConnectedWebhooks, deps.EventPayments, deps.Findings, deps.Events = connectedWebhooks{router}, store.Billing, store.Reconciliation, store.EventLog
		deps.Dashboard = &reports.Service{Store: store.Reports}
		clocks := &testclocks.Service{Store: store.Clocks, Workflows: tc, Now: time.Now}
		deps.Billing, deps.TestClocks = store.Billing, clocks
		deps.Sales = &sales.Service{Accounts: store.Accounts, Catalog: store.Catalog, Billing: store.Billing, Clocks: clocks, Workflows: tc,
			PaymentMethods: store.Billing, Refunds: store.Billing, Gateways: registry.Names(), Connections: store.GatewayAccounts, MethodChecker: methodChecks{router}, Now: time.Now}
		deps.IdempotencyKeys = store.IdempotencyKeys
		deps.PayloadCodec, deps.Namespace, deps.TemporalUIOrigins = codec, o.Namespace, o.Identity.TemporalUIOrigins
		deps.CookieSecure = o.Identity.CookieSecure
		deps.TrustedProxies = o.Identity.TrustedProxies
		deps.APIKeyScheme = o.Identity.APIKeyScheme
		deps.Observed = listenmode.New(store.Observations, o.Identity.ListenValues, o.Logger)
		a.Handler = api.NewServer(deps)
	} else {
		a.Handler = api.NewOpsServer(deps)
	}
	return a, nil
}

// buildGateways registers the payment gateways this process charges
// through: the sandbox (over the shared database ledger) when enabled.
func buildGateways(o Options, store *models.Store) (*gateways.Registry, *sandbox.Sandbox, error) {
	registry := &gateways.Registry{}
	if !o.Sandbox {
		return registry, nil, nil
	}
	secret := []byte(o.SandboxSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	sb, err := sandbox.New(sandbox.NewDatabaseLedger(store), sandbox.Options{BaseURL: o.PublicURL, WebhookSecret: secret, Clock: time.Now})
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox gateway: %w", err)
	}
	rate := cmp.Or(o.GatewayRate, DefaultGatewayRate)
	return registry, sb, registry.Register(gateways.Limited(sb, float64(rate), rate))
}

// masterKeys is a Box over BILLGATE_MASTER_KEYS, or over a random key when
// there are none: enough for a process whose Temporal state dies with it
// (billgate dev in memory, tests). api and worker are refused without
// keys by config, as a key per process seals payloads no other could open.
func masterKeys(keys string) (*sealed.Box, error) {
	if keys == "" {
		return sealed.New([]sealed.Key{sealed.RandomKey("random")})
	}
	parsed, err := sealed.ParseKeys(keys)
	if err != nil {
		return nil, fmt.Errorf("BILLGATE_MASTER_KEYS: %w", err)
	}
	box, err := sealed.New(parsed)
	if err != nil {
		return nil, fmt.Errorf("BILLGATE_MASTER_KEYS: %w", err)
	}
	return box, nil
}

func authConfig(id config.Identity, issuer string, masters *sealed.Box) (auth.Config, error) {
	c := auth.DefaultConfig()
	c.Sessions = auth.SessionRules{IdleTimeout: id.SessionIdle, AbsoluteLifetime: id.SessionLifetime, IPBinding: id.IPBinding}
	c.Lockout.Threshold = id.LockoutThreshold
	keys := []auth.TokenKey{auth.RandomTokenKey()} // enough for one API process
	if id.JWTKeys != "" {
		var err error
		if keys, err = auth.ParseTokenKeys(id.JWTKeys); err != nil {
			return c, fmt.Errorf("BILLGATE_JWT_KEYS: %w", err)
		}
	}
	tokens, err := auth.NewTokens(keys, issuer, func() time.Time { return time.Now().UTC() })
	if err != nil {
		return c, fmt.Errorf("BILLGATE_JWT_KEYS: %w", err)
	}
	c.Tokens = tokens
	c.Secrets = masters
	c.SignatureSkew = id.SignatureSkew
	return c, nil
}

// Close stops the workers, then closes the connections.
func (a *App) Close() {
	if a.stopListening != nil {
		a.stopListening()
		a.listening.Wait()
	}
	a.workers.Stop()
	a.Temporal.Close()
	_ = a.Store.Close()
}

// OpenStore connects to the database. With migrate it applies pending
// migrations (billgate dev); without, it refuses a schema that is not at
// this binary's version (billgate api and worker).
func OpenStore(ctx context.Context, dsn string, migrate bool, log *slog.Logger) (*models.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	store, err := models.Open(ctx, dsn, models.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	if migrate {
		_, err = store.Migrate(ctx)
	} else {
		err = store.CheckSchema(ctx)
	}
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return store, nil
}

// TemporalTarget is the Temporal a process connects to, and how.
type TemporalTarget struct {
	HostPort, Namespace string
	TLS                 *tls.Config // nil: plain text
	APIKey              string      // bearer token; implies TLS
	// Codec seals every payload and failure the client sends, and opens
	// those it reads. Required: billgate never talks to Temporal in plain.
	Codec *payloadcodec.Codec
}

// DialTemporal connects to a Temporal frontend and fails with a clear error
// when it does not answer within the dial timeout, or refuses billgate's
// credentials: reading the namespace proves both, since Temporal lets
// anyone through the health check the dial makes. Once connected, the
// client reconnects by itself if the server goes away for a while.
func DialTemporal(ctx context.Context, target TemporalTarget, log *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	o := client.Options{
		HostPort:          target.HostPort,
		Namespace:         target.Namespace,
		ConnectionOptions: client.ConnectionOptions{TLS: target.TLS},
		Logger:            sdklog.NewStructuredLogger(slog.New(minLevel{log.Handler(), slog.LevelWarn})),
		DataConverter:     payloadcodec.DataConverter(target.Codec),
	}
	o.FailureConverter = payloadcodec.FailureConverter(o.DataConverter)
	if target.APIKey != "" {
		o.Credentials = client.NewAPIKeyStaticCredentials(target.APIKey)
	}
	c, err := client.DialContext(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("temporal: cannot reach %s (namespace %s): %w", target.HostPort, target.Namespace, err)
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: target.Namespace})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("temporal: %s refused namespace %s: %w", target.HostPort, target.Namespace, err)
	}
	return c, nil
}

// minLevel drops records below a level; the SDK logs every poll at info.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.level}
}

// DatabaseCheck reports whether the database answers.
func DatabaseCheck(store *models.Store) api.Check {
	return api.Check{Name: "db", Probe: store.Ping}
}

// GatewaysReport counts, for each gateway, the connected accounts whose
// gateway answered the last call through them, failed to, or has not been
// called: read from what the calls noted, never by calling a gateway.
// Which accounts is for their businesses to see, not the public probe.
func GatewaysReport(store *models.Store) api.Report {
	return api.Report{Name: "gateways", Read: func(ctx context.Context) (any, error) { return store.GatewayHealth(ctx) }}
}

// TemporalCheck reports whether the Temporal frontend answers.
func TemporalCheck(c client.Client) api.Check {
	return api.Check{Name: "temporal", Probe: func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}}
}

// WorkersCheck reports whether some worker polls each task queue that has
// work.
func WorkersCheck(c client.Client, namespace string) api.Check {
	return api.Check{Name: "workers", Probe: func(ctx context.Context) error {
		var idle []string
		for _, queue := range slices.Sorted(maps.Values(worker.TaskQueues)) {
			resp, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
				Namespace:     namespace,
				TaskQueue:     &taskqueuepb.TaskQueue{Name: queue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
				TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
			})
			if err != nil {
				return err
			}
			if len(resp.GetPollers()) == 0 {
				idle = append(idle, queue)
			}
		}
		if len(idle) > 0 {
			return fmt.Errorf("no worker polls %v", idle)
		}
		return nil
	}}
}

// Serve runs srv until ctx is done, then drains it for up to drain.
func Serve(ctx context.Context, srv *http.Server, l net.Listener, drain time.Duration) error {
	failed := make(chan error, 1)
	go func() { failed <- srv.Serve(l) }()
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
