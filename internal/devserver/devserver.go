// Package devserver runs an embedded Temporal server, with its Web UI, inside
// the billgate process: the engine behind `billgate dev` and the end-to-end
// tests. It stores everything in SQLite, in memory or in a data directory.
// Its tests are in e2e (devserver_test.go), the one test binary that links
// the server (docs/testing.md).
package devserver

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"github.com/billgate/billgate/internal/temporalns"
)

const (
	clusterName = "active"
	clusterID   = "6d1f5e4a-0b7c-4c55-9a51-b111a9a7e000" // any UUID; fixed so a data directory keeps it
)

// Options configures the embedded server. The zero value of a port picks a
// free one.
type Options struct {
	// IP is the address every service binds to. Default 127.0.0.1.
	IP string
	// FrontendPort is the gRPC port clients and workers dial.
	FrontendPort int
	// UIPort is the Web UI's port. Negative disables the UI, which a server
	// with TLS or an API key requires: the UI has no login of its own.
	UIPort int
	// CodecEndpoint is where the UI decodes payloads: billgate's
	// /temporal-codec, which the browser calls with the user's billgate
	// session cookie. Empty shows payloads as Temporal stores them.
	CodecEndpoint string
	// Namespace is registered at start. Default "default".
	Namespace string
	// DataDir keeps Temporal's state across restarts. Empty keeps it in memory.
	DataDir string
	// SearchAttributes are registered on the namespace when it is created.
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives the server's warnings and errors. Default: discard.
	Logger *slog.Logger
	// TLS serves the frontend over TLS, as a production Temporal must.
	// Nil serves it in plain text, as `billgate dev` does on loopback.
	TLS *TLS
	// APIKey, when set, makes the frontend refuse every call that lacks
	// "Authorization: Bearer <APIKey>", health checks aside: Temporal's
	// default authorizer behind a claim mapper that knows this key alone.
	APIKey string
	// PickPort finds a free port on IP for each port not chosen above, and
	// for the services' internal ones. Default: one the kernel hands out.
	// Tests hand out a taken one to see Start try again.
	PickPort func(ip string) (int, error)
}

// TLS is the frontend's TLS, in PEM.
type TLS struct {
	// CertPEM and KeyPEM are the frontend's certificate and key.
	CertPEM, KeyPEM []byte
	// ClientCAPEM, when set, requires every client to present a
	// certificate signed by it (mutual TLS).
	ClientCAPEM []byte
}

// secured tells whether the frontend checks who calls it. The server's own
// components then reach it through an internal frontend, plain on the
// server's address and exempt from the check, as Temporal's docs advise.
func (o Options) secured() bool { return o.TLS != nil || o.APIKey != "" }

// Server is a running embedded Temporal server.
type Server struct {
	temporal     temporal.Server
	logger       *slogAdapter
	ui           *uiserver.Server
	frontendAddr string
	uiURL        string
	namespace    string
}

// DatabaseFile is where Temporal keeps its state inside a data directory.
func DatabaseFile(dataDir string) string { return filepath.Join(dataDir, "temporal.db") }

// Start boots Temporal (and the UI unless disabled) and returns once both
// accept connections.
//
// Ports left to it are found free, then bound by the server a moment later;
// another process may take one in between (parallel tests do), so a clash
// on such a port is retried with fresh ones.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts = withDefaults(opts)
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, opts)
		if err == nil || attempt == 3 || !lostPortRace(err) {
			return s, err
		}
	}
}

// errStartPanicked marks a panic while the server was being built, which is
// how it reports a port it could not bind.
var errStartPanicked = errors.New("temporal: start panicked")

// errChosenPortTaken marks a port the caller chose that is in use: trying
// again cannot help.
var errChosenPortTaken = errors.New("port is not available")

// lostPortRace tells whether start failed on a port it picked itself.
func lostPortRace(err error) bool {
	if errors.Is(err, errChosenPortTaken) {
		return false
	}
	return errors.Is(err, errStartPanicked) || strings.Contains(err.Error(), "address already in use")
}

func start(ctx context.Context, opts Options) (_ *Server, err error) {
	if opts.secured() && opts.UIPort >= 0 {
		return nil, errors.New("temporal: the UI cannot serve a frontend with TLS or an API key; disable it (UIPort -1)")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errStartPanicked, r)
		}
	}()
	frontendPort, err := portOrFree(opts, opts.FrontendPort)
	if err != nil {
		return nil, err
	}
	conf, err := serverConfig(opts, frontendPort)
	if err != nil {
		return nil, err
	}
	logger := &slogAdapter{log: opts.Logger}
	serverOpts := []temporal.ServerOption{
		temporal.WithConfig(conf),
		temporal.ForServices(serviceNames(conf)),
		temporal.WithStaticHosts(staticHosts(opts.IP, conf)),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
			dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		}),
	}
	if opts.APIKey != "" {
		serverOpts = append(serverOpts,
			temporal.WithAuthorizer(authorization.NewDefaultAuthorizer()),
			temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return apiKeyClaims(opts.APIKey) }))
	}
	ts, err := temporal.NewServer(serverOpts...)
	if err != nil {
		return nil, fmt.Errorf("temporal: %w", err)
	}
	if err := ts.Start(); err != nil {
		return nil, fmt.Errorf("temporal: start: %w", err)
	}
	s := &Server{
		temporal:     ts,
		logger:       logger,
		frontendAddr: net.JoinHostPort(opts.IP, strconv.Itoa(frontendPort)),
		namespace:    opts.Namespace,
	}
	if err := registerSearchAttributes(ctx, ownAddr(opts.IP, conf), opts.Namespace, opts.SearchAttributes); err != nil {
		ts.Stop()
		return nil, err
	}
	if opts.UIPort >= 0 {
		if err := s.startUI(ctx, opts); err != nil {
			ts.Stop()
			return nil, err
		}
	}
	return s, nil
}

// FrontendAddr is the host:port clients dial.
func (s *Server) FrontendAddr() string { return s.frontendAddr }

// UIURL is the Web UI's address, or "" when it is disabled.
func (s *Server) UIURL() string { return s.uiURL }

// Namespace is the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the UI and the server down.
func (s *Server) Stop() {
	s.logger.silence()
	if s.ui != nil {
		s.ui.Stop()
	}
	s.temporal.Stop()
}

func withDefaults(opts Options) Options {
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PickPort == nil {
		opts.PickPort = freePort
	}
	return opts
}

func serverConfig(opts Options, frontendPort int) (*config.Config, error) {
	frontendHTTPPort, err := opts.PickPort(opts.IP)
	if err != nil {
		return nil, err
	}
	sqlConf, err := sqlConfig(opts)
	if err != nil {
		return nil, err
	}
	frontendAddr := net.JoinHostPort(opts.IP, strconv.Itoa(frontendPort))

	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = opts.IP
	conf.Persistence.DefaultStore = "sqlite"
	conf.Persistence.VisibilityStore = "sqlite"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlConf}}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				HTTPAddress:            net.JoinHostPort(opts.IP, strconv.Itoa(frontendHTTPPort)),
				ClusterID:              clusterID,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	names := temporal.DefaultServices
	if opts.secured() {
		names = append(slices.Clone(names), string(primitives.InternalFrontendService))
	}
	conf.Services = map[string]config.Service{}
	for _, name := range names {
		port := frontendPort
		if name != string(primitives.FrontendService) {
			if port, err = opts.PickPort(opts.IP); err != nil {
				return nil, err
			}
		}
		svc := config.Service{}
		svc.RPC.GRPCPort = port
		svc.RPC.BindOnIP = opts.IP
		if name == string(primitives.FrontendService) {
			svc.RPC.HTTPPort = frontendHTTPPort
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	if !opts.secured() {
		conf.PublicClient.HostPort = frontendAddr // else the internal frontend, found by membership
	}
	if opts.TLS != nil {
		conf.Global.TLS.Frontend.Server = config.ServerTLS{
			CertData:          base64.StdEncoding.EncodeToString(opts.TLS.CertPEM),
			KeyData:           base64.StdEncoding.EncodeToString(opts.TLS.KeyPEM),
			RequireClientAuth: len(opts.TLS.ClientCAPEM) > 0,
		}
		if len(opts.TLS.ClientCAPEM) > 0 {
			conf.Global.TLS.Frontend.Server.ClientCAData = []string{base64.StdEncoding.EncodeToString(opts.TLS.ClientCAPEM)}
		}
	}
	return &conf, nil
}

func serviceNames(conf *config.Config) []string {
	names := slices.Collect(maps.Keys(conf.Services))
	slices.Sort(names)
	return names
}

// ownAddr is where the server's own clients reach it: the internal frontend
// when the public one checks its callers.
func ownAddr(ip string, conf *config.Config) string {
	svc, ok := conf.Services[string(primitives.InternalFrontendService)]
	if !ok {
		svc = conf.Services[string(primitives.FrontendService)]
	}
	return net.JoinHostPort(ip, strconv.Itoa(svc.RPC.GRPCPort))
}

// apiKeyClaims grants system admin to the one API key, and nothing to any
// other caller.
type apiKeyClaims string

func (k apiKeyClaims) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	if subtle.ConstantTimeCompare([]byte(info.AuthToken), []byte("Bearer "+string(k))) != 1 {
		return nil, nil
	}
	return &authorization.Claims{Subject: "api-key", System: authorization.RoleAdmin}, nil
}

// registerSearchAttributes adds billgate's attributes the namespace lacks.
func registerSearchAttributes(ctx context.Context, addr, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: addr, Namespace: namespace, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return fmt.Errorf("temporal: dial %s: %w", addr, err)
	}
	defer c.Close()
	return temporalns.AddSearchAttributes(ctx, c, namespace, want)
}

// sqlConfig points Temporal at SQLite and registers the namespace. A data
// directory uses WAL and synchronous=normal: about five times the throughput
// of the default pragmas, and still safe across a process crash.
func sqlConfig(opts Options) (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName}
	if opts.DataDir == "" {
		conf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		conf.DatabaseName = "billgate-" + strconv.FormatUint(rand.Uint64(), 36)
	} else {
		conf.ConnectAttributes = map[string]string{
			"mode":         "rwc",
			"setup":        "true",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		}
		conf.DatabaseName = DatabaseFile(opts.DataDir)
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("temporal: namespace %s: %w", opts.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("temporal: %w", err)
	}
	return conf, nil
}

func staticHosts(ip string, conf *config.Config) map[primitives.ServiceName]static.Hosts {
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(ip, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	return hosts
}

// startUI serves the Web UI and waits until it answers, so a port clash is
// reported here rather than lost in a goroutine.
func (s *Server) startUI(ctx context.Context, opts Options) error {
	port, err := portOrFree(opts, opts.UIPort)
	if err != nil {
		return err
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                opts.IP,
		Port:                port,
		TemporalGRPCAddress: s.frontendAddr,
		EnableUI:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
		DefaultNamespace:    opts.Namespace,
		Codec: uiconfig.Codec{
			Endpoint:            opts.CodecEndpoint,
			IncludeCredentials:  true,
			DefaultErrorMessage: "Payloads are encrypted: log in to billgate as an admin in this browser to see them decoded",
		},
	}))
	s.uiURL = "http://" + net.JoinHostPort(opts.IP, strconv.Itoa(port))
	failed := make(chan error, 1)
	go func() {
		if err := s.ui.Start(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed <- err
		}
	}()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-failed:
			return fmt.Errorf("temporal ui: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("temporal ui: no answer on %s after 30s", s.uiURL)
		case <-tick.C:
			if resp, err := http.Get(s.uiURL + "/healthz"); err == nil {
				_ = resp.Body.Close()
				return nil
			}
		}
	}
}

// portOrFree checks that a chosen port is free, so a clash is reported with
// its port number, or picks a free one when none is chosen.
func portOrFree(opts Options, port int) (int, error) {
	if port == 0 {
		return opts.PickPort(opts.IP)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(opts.IP, strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("port %d: %w: %w", port, errChosenPortTaken, err)
	}
	return port, l.Close()
}

// freePort is the default Options.PickPort.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
