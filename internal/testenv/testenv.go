// Package testenv starts a whole billgate for end-to-end tests: embedded
// Temporal, a real database (Postgres when TEST_DATABASE_URL is set, SQLite
// otherwise), the workers and the API on an httptest server. Tests drive it
// over HTTP as a client would, with every exchange checked against the
// OpenAPI spec.
package testenv

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/app"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/internal/devserver"
	"github.com/billgate/billgate/internal/payloadcodec"
	"github.com/billgate/billgate/internal/topology"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/worker"
	"github.com/billgate/billgate/workflows/contract"
)

// SandboxSecret signs the sandbox gateway's webhooks in tests.
const SandboxSecret = "e2e-sandbox-webhook-secret"

// MasterKeys seal payloads in tests, as BILLGATE_MASTER_KEYS: the same in
// every billgate a test starts, so a restart on the same data, or an API
// and a worker apart, open each other's payloads.
const MasterKeys = "e2e=ZTJlLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyEhISE="

// Options tunes Start. The zero value is an in-memory Temporal and a fresh
// database.
type Options struct {
	// DataDir keeps Temporal's state (and SQLite's, without Postgres) so a
	// second Start on the same directory resumes it.
	DataDir string
	// DB overrides the database URL, to reuse one across restarts.
	DB string
	// Identity overrides the session and lockout rules.
	Identity *config.Identity
	// Queues overrides the task queues billgate's workers serve: all of
	// them by default.
	Queues []string
	// Partitionable puts a proxy between billgate and Temporal, which
	// CutTemporal cuts and RestoreTemporal restores.
	Partitionable bool
	// Connectors are the gateways businesses connect accounts at, e.g.
	// Stripe pointed at a test server; none by default.
	Connectors connected.Connectors
	// WebhookAllow opens internal networks to webhook deliveries, as
	// --webhook-allow does: Loopback, for receivers the test runs. None
	// by default, as in production.
	WebhookAllow []netip.Prefix
}

// Loopback is the networks of receivers a test runs on this machine.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// Env is a running billgate.
type Env struct {
	URL      string       // the API's base URL
	HTTP     *http.Client // validates every exchange against the spec
	Temporal client.Client
	DB       string // the database URL, for a restart on the same data

	t        testing.TB
	opts     Options
	store    *models.Store
	hasher   *password.Hasher
	codec    *payloadcodec.Codec
	temporal *devserver.Server
	proxy    *proxy // nil unless Options.Partitionable
	port     int
	app      *app.App
	api      *httptest.Server
	stack    *topology.Stack // on the topology, instead of the above
}

// testPasswords is the password hashing of billgate in tests: the same
// algorithm at a cost fit for tests, as logins are part of nearly every
// end-to-end test.
var testPasswords = password.Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Start boots billgate and stops it when the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	if OnTopology() {
		return startOnTopology(t, opts)
	}
	e := &Env{t: t, opts: opts, HTTP: apitest.Client(t), DB: opts.DB}
	if e.DB == "" {
		e.DB = dbtest.Default(t).DSN
		if opts.DataDir != "" && e.DB == "sqlite::memory:" {
			e.DB = "sqlite:" + filepath.Join(opts.DataDir, "billgate.db")
		}
	}
	queues := opts.Queues
	if queues == nil {
		queues = config.Queues
	}
	e.StartTemporal()
	temporalAddr := e.temporal.FrontendAddr()
	if opts.Partitionable {
		p, err := newProxy(temporalAddr)
		if err != nil {
			e.temporal.Stop()
			t.Fatalf("start the proxy to temporal: %v", err)
		}
		e.proxy, temporalAddr = p, p.addr()
		t.Cleanup(p.close)
	}
	e.api = httptest.NewUnstartedServer(nil)
	e.URL = "http://" + e.api.Listener.Addr().String()
	a, err := app.Start(context.Background(), app.Options{
		PublicURL:      e.URL,
		Sandbox:        true,
		SandboxSecret:  SandboxSecret,
		DB:             e.DB,
		Migrate:        true,
		Temporal:       temporalAddr,
		Namespace:      e.temporal.Namespace(),
		Queues:         queues,
		Connectors:     opts.Connectors,
		WebhookAllow:   opts.WebhookAllow,
		ServeAPI:       true,
		BodyLimit:      1 << 20,
		StopTimeout:    5 * time.Second,
		Logger:         logger(),
		Identity:       *cmp.Or(opts.Identity, DefaultIdentity()),
		PasswordParams: testPasswords,
	})
	if err != nil {
		e.temporal.Stop()
		e.api.Close()
		t.Fatalf("start billgate: %v", err)
	}
	e.app = a
	e.Temporal, e.store, e.hasher, e.codec = a.Temporal, a.Store, a.Hasher, a.Codec
	e.api.Config.Handler = a.Handler
	e.api.Start()
	t.Cleanup(e.Stop)
	return e
}

// DefaultIdentity is the production session and lockout rules.
func DefaultIdentity() *config.Identity {
	return &config.Identity{SessionIdle: 2 * time.Hour, SessionLifetime: 24 * time.Hour, IPBinding: "off", LockoutThreshold: auth.DefaultLockout.Threshold, APIKeyScheme: "Plain", SignatureSkew: 300 * time.Second, ListenValues: 10,
		MasterKeys: MasterKeys}
}

// CreateClient adds an account directly in the store, as an admin or an
// import would, and returns it.
func (e *Env) CreateClient(tenant *uuid.UUID, login, pass string, roles ...string) *models.Client {
	e.t.Helper()
	hash, err := e.hasher.Hash(pass)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &models.Client{TenantID: tenant, Login: login, PasswordHash: hash}
	if err := e.store.CreateClient(context.Background(), c, roles...); err != nil {
		e.t.Fatalf("create client %s: %v", login, err)
	}
	return c
}

// StartWorkers runs more workers for the named queues, as another worker
// process would; they stop when the test ends, or before with Stop.
func (e *Env) StartWorkers(queues ...string) *worker.Group {
	e.t.Helper()
	e.inProcess("StartWorkers")
	g, err := worker.Start(e.Temporal, queues, e.app.Activities, time.Second)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(g.Stop)
	return g
}

// CutTemporal drops billgate's connections to Temporal and refuses new
// ones, as a network partition would, until RestoreTemporal. The Env must
// have been started Partitionable.
func (e *Env) CutTemporal() {
	e.inProcess("CutTemporal")
	e.proxy.setCut(true)
}

// RestoreTemporal ends what CutTemporal began.
func (e *Env) RestoreTemporal() { e.proxy.setCut(false) }

// Namespace is the Temporal namespace billgate runs in.
func (e *Env) Namespace() string {
	if e.stack != nil {
		return e.stack.Namespace
	}
	return e.temporal.Namespace()
}

// TemporalAddr is Temporal's frontend, for a client that sees what
// Temporal stores, without billgate's codec.
func (e *Env) TemporalAddr() string {
	if e.stack != nil {
		return backends.Temporal.Addr
	}
	return e.temporal.FrontendAddr()
}

// Codec is the running billgate's payload codec.
func (e *Env) Codec() *payloadcodec.Codec { return e.codec }

// Store is the running billgate's database.
func (e *Env) Store() *models.Store { return e.store }

// inProcess fails a test that drives what only the in-process billgate has.
func (e *Env) inProcess(what string) {
	e.t.Helper()
	if e.stack != nil {
		e.t.Fatalf("%s needs the in-process billgate: this test cannot run on the topology (%s)", what, TopologyEnv)
	}
}

// StartTemporal starts the embedded Temporal, on the same port as before
// when it was stopped with StopTemporal.
func (e *Env) StartTemporal() {
	e.t.Helper()
	e.inProcess("StartTemporal")
	s, err := devserver.Start(context.Background(), devserver.Options{
		FrontendPort:     e.port,
		UIPort:           -1,
		DataDir:          e.opts.DataDir,
		SearchAttributes: contract.SearchAttributes(),
		Logger:           logger(),
	})
	if err != nil {
		e.t.Fatalf("start temporal: %v", err)
	}
	e.temporal = s
	if e.port == 0 {
		e.port = portOf(s.FrontendAddr())
	}
}

// StopTemporal takes Temporal away while billgate keeps running.
func (e *Env) StopTemporal() {
	e.inProcess("StopTemporal")
	e.temporal.Stop()
	e.temporal = nil
}

// Stop shuts billgate down as the binary does: API, workers, Temporal. It is
// safe to call twice.
func (e *Env) Stop() {
	if e.stack != nil {
		e.stack.Stop()
	}
	if e.api != nil {
		e.api.Close()
		e.api = nil
	}
	if e.app != nil {
		e.app.Close()
		e.app = nil
	}
	if e.temporal != nil {
		e.temporal.Stop()
		e.temporal = nil
	}
}

// Get sends a GET to the API.
func (e *Env) Get(path string) *http.Response {
	e.t.Helper()
	resp, err := e.HTTP.Get(e.URL + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	e.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func portOf(hostPort string) int {
	_, port, _ := net.SplitHostPort(hostPort)
	n, _ := strconv.Atoi(port)
	return n
}

// logger shows billgate's warnings in test output when BILLGATE_TEST_LOG
// is set, and nothing otherwise.
func logger() *slog.Logger {
	if os.Getenv("BILLGATE_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
