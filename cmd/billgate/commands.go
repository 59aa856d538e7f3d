package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/app"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/demo"
	"github.com/billgate/billgate/internal/devserver"
	"github.com/billgate/billgate/internal/importer"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

// runDev runs everything in one process: embedded Temporal with its UI,
// SQLite, the API and a worker for every queue.
func runDev(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	dsn := "sqlite::memory:"
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("--data-dir: %w", err)
		}
		dsn = "sqlite:" + filepath.Join(cfg.DataDir, "billgate.db")
		// Keys not given are kept in the data dir, so tokens and signing
		// keys outlive a restart as the rest of the state does.
		for _, k := range []struct {
			value      *string
			file, name string
		}{{&cfg.Identity.JWTKeys, "jwt.key", "dev-jwt"}, {&cfg.Identity.MasterKeys, "master.key", "dev-master"}} {
			if *k.value != "" {
				continue
			}
			var err error
			if *k.value, err = app.KeyFile(filepath.Join(cfg.DataDir, k.file), k.name); err != nil {
				return fmt.Errorf("--data-dir: %w", err)
			}
		}
	}
	listener, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return fmt.Errorf("--http: %w", err)
	}
	defer listener.Close()
	host, _, _ := net.SplitHostPort(cfg.HTTP)
	apiURL := publicURL(cfg.PublicURL, listener.Addr())
	temporal, err := devserver.Start(ctx, devserver.Options{
		IP:               loopbackOr(host),
		FrontendPort:     cfg.TemporalPort,
		UIPort:           cfg.UIPort,
		CodecEndpoint:    apiURL + "/temporal-codec",
		Namespace:        cfg.Namespace,
		DataDir:          cfg.DataDir,
		SearchAttributes: contract.SearchAttributes(),
		Logger:           log,
	})
	if err != nil {
		return err
	}
	defer temporal.Stop()
	// The embedded UI decodes payloads through the API, from the browser.
	cfg.Identity.TemporalUIOrigins = append(cfg.Identity.TemporalUIOrigins, temporal.UIURL())
	a, err := app.Start(ctx, app.Options{
		DB:            dsn,
		Migrate:       true,
		Temporal:      temporal.FrontendAddr(),
		Namespace:     temporal.Namespace(),
		Queues:        config.Queues,
		ServeAPI:      true,
		BodyLimit:     int64(cfg.BodyLimit),
		StopTimeout:   cfg.ShutdownTimeout,
		Logger:        log,
		Identity:      cfg.Identity,
		PublicURL:     apiURL,
		Sandbox:       true,
		SandboxSecret: cfg.SandboxSecret,
		GatewayRate:   cfg.GatewayRate,
		Connectors:    app.Connectors(cfg.GatewayURLs),
		WebhookAllow:  cfg.WebhookAllow,
	})
	if err != nil {
		return err
	}
	defer a.Close()
	generated, err := app.EnsureAdmin(ctx, a.Store, a.Hasher, cfg.Identity.AdminLogin, cfg.Identity.AdminPassword)
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(stdout, "Created admin %q with password %s (shown once; set BILLGATE_ADMIN_PASSWORD to choose it)\n", cfg.Identity.AdminLogin, generated)
	}
	if cfg.Demo {
		if err := startDemo(ctx, a, apiURL, log, stdout); err != nil {
			return err
		}
	}
	storage := "in memory (gone at exit; keep it with --data-dir)"
	if cfg.DataDir != "" {
		storage = cfg.DataDir
	}
	fmt.Fprintf(stdout, "billgate dev is running\n  Console      http://%s/console/\n  API          http://%s\n  API docs     http://%s/docs\n  Temporal UI  %s\n  Temporal     %s (namespace %s)\n  State        %s\nPress Ctrl-C to stop.\n",
		listener.Addr(), listener.Addr(), listener.Addr(), temporal.UIURL(), temporal.FrontendAddr(), temporal.Namespace(), storage)
	return app.Serve(ctx, api.NewHTTPServer(cfg.HTTP, a.Handler), listener, cfg.ShutdownTimeout)
}

// startDemo makes the demo business and seeds it through the API once the
// API serves, printing its logins when it is ready. A demo kept in
// --data-dir from an earlier run is left as it is.
func startDemo(ctx context.Context, a *app.App, apiURL string, log *slog.Logger, stdout io.Writer) error {
	created, err := app.EnsureAccount(ctx, a.Store, a.Hasher, &models.Client{Login: demo.Business, DisplayName: "Demo business"}, demo.Password, "business")
	if err != nil {
		return fmt.Errorf("--demo: %w", err)
	}
	logins := func() {
		fmt.Fprintf(stdout, "Demo ready: log in to the console as the business %q, or as a customer of it, all with password %q:\n", demo.Business, demo.Password)
		for _, c := range demo.Customers {
			fmt.Fprintf(stdout, "  %-6s %s\n", c.Login, c.Shows)
		}
	}
	if !created {
		logins()
		return nil
	}
	fmt.Fprintln(stdout, "Seeding the demo business: its test clock runs 60 days to now (about a minute)...")
	go func() {
		if err := demo.Seed(ctx, apiURL, demo.Business, time.Now()); err != nil {
			if ctx.Err() == nil {
				log.Error("the demo could not be seeded", "error", err)
			}
			return
		}
		logins()
	}()
	return nil
}

// publicURL is the configured public URL, or one made from the address the
// API listens on.
func publicURL(configured string, listening net.Addr) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	host, port, _ := net.SplitHostPort(listening.String())
	return "http://" + net.JoinHostPort(loopbackOr(host), port)
}

// loopbackOr keeps the embedded Temporal on the interface the API listens
// on, and on loopback when the API listens on every interface.
func loopbackOr(host string) string {
	switch host {
	case "", "0.0.0.0", "::", "localhost":
		return "127.0.0.1"
	}
	return host
}

// runServer runs `billgate api` (the API, no workers) or `billgate worker`
// (workers, with ops endpoints) against external Postgres and Temporal.
// /metrics is never on --http: only on --metrics-addr, when it is set.
func runServer(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	listener, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return fmt.Errorf("--http: %w", err)
	}
	defer listener.Close()
	var metrics net.Listener
	if cfg.MetricsAddr != "" {
		if metrics, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		defer metrics.Close()
	}
	temporalTLS, err := cfg.TemporalAuth.TLSConfig()
	if err != nil {
		return err
	}
	o := app.Options{
		DB:             cfg.DB,
		Temporal:       cfg.Temporal,
		Namespace:      cfg.Namespace,
		TemporalTLS:    temporalTLS,
		TemporalAPIKey: cfg.TemporalAuth.APIKey,
		MetricsApart:   true,
		BodyLimit:      int64(cfg.BodyLimit),
		StopTimeout:    cfg.ShutdownTimeout,
		Logger:         log,
		Identity:       cfg.Identity,
		PublicURL:      publicURL(cfg.PublicURL, listener.Addr()),
		// The sandbox's tokens pay without money: only when asked for.
		Sandbox:       cfg.SandboxSecret != "",
		SandboxSecret: cfg.SandboxSecret,
		GatewayRate:   cfg.GatewayRate,
		Connectors:    app.Connectors(cfg.GatewayURLs),
		WebhookAllow:  cfg.WebhookAllow,
	}
	if cfg.Command == config.CommandAPI {
		o.ServeAPI = true
	} else {
		o.Queues = cfg.Queues
		// A worker's --http serves only its ops endpoints: links it hands
		// out (approval pages) point at the API.
		o.PublicURL = cmp.Or(cfg.PublicURL, "http://localhost:8080")
	}
	a, err := app.Start(ctx, o)
	if err != nil {
		return err
	}
	defer a.Close()
	servers := []listening{{api.NewHTTPServer(cfg.HTTP, a.Handler), listener}}
	metricsAt := "off"
	if metrics != nil {
		servers = append(servers, listening{api.NewHTTPServer(cfg.MetricsAddr, a.Metrics), metrics})
		metricsAt = metrics.Addr().String()
	}
	log.Info("billgate started", slog.String("command", cfg.Command), slog.String("http", listener.Addr().String()),
		slog.String("metrics", metricsAt), slog.Any("queues", o.Queues))
	if !cfg.TemporalAuth.Authenticated() {
		log.Warn("billgate presents no credentials to Temporal: whoever reaches it can drive billgate's workflows; " +
			"set --temporal-tls-cert and --temporal-tls-key, or BILLGATE_TEMPORAL_API_KEY (docs/deployment.md)")
	}
	return serveAll(ctx, cfg.ShutdownTimeout, servers...)
}

// listening is an HTTP server and the listener it serves.
type listening struct {
	server   *http.Server
	listener net.Listener
}

// serveAll runs every server until ctx is done or one of them fails, then
// drains them all.
func serveAll(ctx context.Context, drain time.Duration, servers ...listening) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, len(servers))
	for _, s := range servers {
		go func() { done <- app.Serve(ctx, s.server, s.listener, drain) }()
	}
	var errs []error
	for range servers {
		errs = append(errs, <-done)
		stop()
	}
	return errors.Join(errs...)
}

func runMigrate(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	store, err := app.OpenStore(ctx, cfg.DB, true, log)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema at version %d\n", v.Current)
	return nil
}

func versionLine() string {
	line := "billgate " + version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return line
	}
	line += " (" + info.GoVersion
	for _, dep := range info.Deps {
		switch dep.Path {
		case "go.temporal.io/server", "go.temporal.io/sdk":
			line += ", " + dep.Path + " " + dep.Version
		}
	}
	return line + ")"
}

// healthcheck is a container healthcheck for images without curl.
func healthcheck(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", url, resp.StatusCode)
	}
	return nil
}

// importClients is `billgate admin import-clients FILE`: all lines or none.
func importClients(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	in := io.Reader(os.Stdin)
	if cfg.File != "-" {
		f, err := os.Open(cfg.File)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	store, err := app.OpenStore(ctx, cfg.DB, false, log)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := importer.Import(ctx, store, password.New(password.DefaultParams()), in)
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d accounts (%d with legacy hashes, rehashed at their next login)\n", res.Imported, res.Legacy)
	return nil
}
