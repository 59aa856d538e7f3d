// Package config turns billgate's command line and BILLGATE_* environment
// into one typed Config. A flag wins over its environment variable, which
// wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billgate/billgate/auth"
)

// The subcommands.
const (
	CommandDev         = "dev"
	CommandAPI         = "api"
	CommandWorker      = "worker"
	CommandMigrate     = "migrate"
	CommandVersion     = "version"
	CommandHealthcheck = "healthcheck"
	CommandAdmin       = "admin"
)

// Admin subcommands, run as `billgate admin <name>`.
const AdminImportClients = "import-clients"

// Queues are the names `--queues` accepts, one per Temporal task queue.
var Queues = []string{"subscriptions", "payments", "events"}

// ErrHelp is returned after the help text was printed; the caller exits 0.
var ErrHelp = errors.New("help requested")

// Config is everything a subcommand needs to start.
type Config struct {
	Command string

	HTTP            string        // listen address of the API (or the worker's ops endpoints)
	MetricsAddr     string        // api and worker: listen address of /metrics alone; empty serves none
	DB              string        // postgres://… or sqlite:PATH or sqlite::memory:
	Temporal        string        // host:port of the Temporal frontend
	TemporalAuth    TemporalAuth  // api and worker: TLS and credentials for Temporal
	Namespace       string        // Temporal namespace
	Queues          []string      // task queues this worker process serves
	LogLevel        slog.Level    // minimum level written to stderr
	BodyLimit       int           // largest request body accepted, in bytes
	ShutdownTimeout time.Duration // how long a shutdown waits for in-flight work

	DataDir      string // dev: where state is kept; empty keeps it in memory
	TemporalPort int    // dev: the embedded Temporal's gRPC port
	UIPort       int    // dev: the Temporal Web UI's port
	Demo         bool   // dev: seed the demo business (internal/demo)

	URL string // healthcheck: the address to probe

	AdminCommand string // admin: which task
	File         string // admin import-clients: the JSON lines file, - for stdin

	Identity Identity // dev and api: sessions, lockout, cookies, proxies

	PublicURL     string // where clients reach the API: links such as the sandbox's approval page
	SandboxSecret string // signs the sandbox gateway's webhooks; empty: a random one per process
	GatewayRate   int    // charges a second this process sends each gateway
	// WebhookAllow are internal networks webhook deliveries may reach
	// all the same: for a receiver on a developer's machine.
	WebhookAllow []netip.Prefix
	// GatewayURLs replace the real gateways' addresses, to point billgate
	// at an emulator such as stripe-mock; empty is the gateway's own.
	GatewayURLs GatewayURLs
}

// GatewayURLs are where billgate reaches the gateways businesses connect.
type GatewayURLs struct {
	Stripe         string // BILLGATE_STRIPE_API_URL
	PayPal         string // BILLGATE_PAYPAL_API_URL
	SkrillCheckout string // BILLGATE_SKRILL_CHECKOUT_URL
	SkrillAPI      string // BILLGATE_SKRILL_API_URL
}

// Identity configures logins and sessions.
type Identity struct {
	SessionIdle      time.Duration // a session unused this long expires
	SessionLifetime  time.Duration // no session outlives this
	IPBinding        string        // off, log or strict
	LockoutThreshold int           // failed logins that lock an account out for one source
	CookieSecure     bool          // add Secure to the sid cookie
	TrustedProxies   []string      // peers whose X-Forwarded-For is believed
	AdminLogin       string        // dev: the admin bootstrapped at start
	AdminPassword    string        // dev: its password; empty generates one
	JWTKeys          string        // kid=base64key,… signing access tokens; empty: a random key per process
	APIKeyScheme     string        // the Authorization scheme that presents API keys
	MasterKeys       string        // kid=base64key,… sealing signing-key secrets and Temporal payloads; dev without it: a random key
	SignatureSkew    time.Duration // how far a signed request's Date may be from now
	ListenValues     int           // distinct values listen mode keeps a field before proposing the wildcard
	// TemporalUIOrigins may call the payload codec endpoint from a browser
	// (CORS, with credentials): the Temporal UI's origins.
	TemporalUIOrigins []string
}

// commands describes each subcommand for the help text, in display order.
var commands = []struct{ name, summary string }{
	{CommandDev, "everything in one process: embedded Temporal and its UI, SQLite, the API and all workers"},
	{CommandAPI, "the HTTP API, against Postgres and an external Temporal"},
	{CommandWorker, "Temporal workers for the chosen task queues, with ops endpoints"},
	{CommandMigrate, "apply the embedded database migrations and exit"},
	{CommandVersion, "print the version and exit"},
	{CommandHealthcheck, "probe a billgate URL; exit 0 on HTTP 200 (for container healthchecks)"},
	{CommandAdmin + " " + AdminImportClients, "import accounts from a JSON lines FILE (- for stdin), all or none"},
}

// Usage is the top-level help text.
func Usage() string {
	var b strings.Builder
	b.WriteString("billgate: subscription billing on Temporal\n\nUsage: billgate <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-22s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'billgate <command> --help' for the command's flags. Every flag can also be set\nthrough the environment variable shown beside it.\n")
	return b.String()
}

// Parse reads args (without the program name) and the environment. Help goes
// to out. Errors are one line, fit to print as they are.
func Parse(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	if len(args) == 0 {
		return Config{}, errors.New("no command given; run 'billgate --help'")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(out, Usage())
		return Config{}, ErrHelp
	}
	c := Config{Command: args[0]}
	if c.Command == CommandAdmin {
		if len(args) < 2 || args[1] != AdminImportClients {
			return Config{}, fmt.Errorf("billgate admin: want a task: %s", AdminImportClients)
		}
		c.AdminCommand = args[1]
		args = args[1:]
	}
	fs := flag.NewFlagSet("billgate "+c.Command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	b := binder{fs: fs, getenv: getenv}
	switch c.Command {
	case CommandDev:
		b.str(&c.HTTP, "http", "BILLGATE_HTTP", "localhost:8080", "API listen address")
		b.integer(&c.TemporalPort, "temporal-port", "BILLGATE_TEMPORAL_PORT", 7233, "embedded Temporal gRPC port")
		b.integer(&c.UIPort, "ui-port", "BILLGATE_UI_PORT", 8233, "Temporal Web UI port")
		b.str(&c.DataDir, "data-dir", "BILLGATE_DATA_DIR", "", "directory that keeps app and Temporal state across restarts (empty: in memory)")
		b.str(&c.Namespace, "namespace", "BILLGATE_NAMESPACE", "default", "Temporal namespace")
		b.boolean(&c.Demo, "demo", "BILLGATE_DEMO", "seed a demo business with a catalog, customers and subscriptions in every state on a test clock, and print its logins")
		b.common(&c)
		b.identity(&c.Identity)
		b.str(&c.Identity.AdminLogin, "admin-login", "BILLGATE_ADMIN_LOGIN", "admin", "login of the admin created at start if missing")
		c.Identity.AdminPassword = getenv("BILLGATE_ADMIN_PASSWORD") // never a flag: it would show in ps
		b.webhookAllow(&c)
	case CommandAPI:
		b.str(&c.HTTP, "http", "BILLGATE_HTTP", ":8080", "API listen address")
		b.metrics(&c, ":9090")
		b.external(&c)
		b.common(&c)
		b.identity(&c.Identity)
		b.list(&c.Identity.TemporalUIOrigins, "temporal-ui-origin", "BILLGATE_TEMPORAL_UI_ORIGIN", "", "origins of the Temporal UIs that may decode payloads through /temporal-codec, comma-separated (https://temporal.example.com)")
	case CommandWorker:
		b.str(&c.HTTP, "http", "BILLGATE_HTTP", ":8081", "listen address of /healthz and /readyz")
		b.metrics(&c, ":9091")
		b.list(&c.Queues, "queues", "BILLGATE_QUEUES", strings.Join(Queues, ","), "task queues to serve, comma-separated: "+strings.Join(Queues, ", "))
		b.masterKeys(&c.Identity)
		b.external(&c)
		b.common(&c)
		b.webhookAllow(&c)
	case CommandMigrate, CommandAdmin:
		b.str(&c.DB, "db", "BILLGATE_DB", "", "database URL: postgres://… or sqlite:PATH")
		b.logLevel(&c)
	case CommandVersion:
	case CommandHealthcheck:
		b.str(&c.URL, "url", "BILLGATE_HEALTHCHECK_URL", "http://localhost:8080/readyz", "URL to probe")
	default:
		return Config{}, fmt.Errorf("unknown command %q; run 'billgate --help'", c.Command)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(out, commandUsage(fs, c.Command))
			return Config{}, ErrHelp
		}
		return Config{}, err
	}
	if c.Command == CommandAdmin {
		if fs.NArg() != 1 {
			return Config{}, fmt.Errorf("billgate admin %s: want one FILE (- for stdin)", c.AdminCommand)
		}
		c.File = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := errors.Join(b.errs...); err != nil {
		return Config{}, err
	}
	return c, c.validate()
}

func commandUsage(fs *flag.FlagSet, command string) string {
	var b strings.Builder
	for _, c := range commands {
		if c.name == command || strings.HasPrefix(c.name, command+" ") {
			fmt.Fprintf(&b, "billgate %s: %s\n\nFlags:\n", c.name, c.summary)
		}
	}
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

func (c Config) validate() error {
	var errs []error
	if c.HTTP != "" {
		if _, _, err := net.SplitHostPort(c.HTTP); err != nil {
			errs = append(errs, fmt.Errorf("--http %q: want host:port", c.HTTP))
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: want host:port, or empty for no metrics", c.MetricsAddr))
		} else if c.MetricsAddr == c.HTTP {
			errs = append(errs, fmt.Errorf("--metrics-addr %q: want another address than --http", c.MetricsAddr))
		}
	}
	switch c.Command {
	case CommandAPI, CommandWorker, CommandMigrate, CommandAdmin:
		if c.DB == "" {
			errs = append(errs, errors.New("--db (BILLGATE_DB) is required"))
		} else if err := ValidateDB(c.DB); err != nil {
			errs = append(errs, err)
		}
	}
	switch c.Command {
	case CommandAPI, CommandWorker:
		if _, _, err := net.SplitHostPort(c.Temporal); err != nil {
			errs = append(errs, fmt.Errorf("--temporal %q: want host:port", c.Temporal))
		}
		if _, err := c.TemporalAuth.TLSConfig(); err != nil {
			errs = append(errs, err)
		}
		// A key made up per process would seal payloads no other process,
		// nor this one after a restart, could open.
		if c.Identity.MasterKeys == "" {
			errs = append(errs, errors.New("BILLGATE_MASTER_KEYS is required: api and worker seal Temporal payloads with it and must share it (docs/codec.md)"))
		}
	case CommandDev:
		for name, port := range map[string]int{"--temporal-port": c.TemporalPort, "--ui-port": c.UIPort} {
			if port < 1 || port > 65535 {
				errs = append(errs, fmt.Errorf("%s %d: want 1-65535", name, port))
			}
		}
	case CommandHealthcheck:
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("--url %q: want an http(s) URL", c.URL))
		}
	}
	errs = append(errs, c.Identity.validate(c.Command)...)
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--public-url %q: want an absolute http(s) URL", c.PublicURL))
		}
	}
	if c.BodyLimit < 1 && (c.Command == CommandDev || c.Command == CommandAPI || c.Command == CommandWorker) {
		errs = append(errs, fmt.Errorf("--body-limit %d: want a positive number of bytes", c.BodyLimit))
	}
	if c.GatewayRate < 1 && (c.Command == CommandDev || c.Command == CommandWorker) {
		errs = append(errs, fmt.Errorf("--gateway-rate %d: want at least one charge a second", c.GatewayRate))
	}
	for _, q := range c.Queues {
		if !slices.Contains(Queues, q) {
			errs = append(errs, fmt.Errorf("--queues: unknown queue %q; want some of %s", q, strings.Join(Queues, ", ")))
		}
	}
	if c.Command == CommandWorker && len(c.Queues) == 0 {
		errs = append(errs, errors.New("--queues: name at least one queue"))
	}
	return errors.Join(errs...)
}

// ValidateDB checks the shape of a database URL without connecting.
func ValidateDB(dsn string) error {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		u, err := url.Parse(dsn)
		if err != nil || u.Host == "" {
			return errors.New("--db: not a valid postgres URL (want postgres://user:pass@host:5432/db)")
		}
		return nil
	case strings.HasPrefix(dsn, "sqlite:") && len(dsn) > len("sqlite:"):
		return nil
	default:
		return errors.New("--db: want postgres://… or sqlite:PATH")
	}
}

// binder registers flags whose defaults come from the environment, and
// collects the environment values that fail to parse.
type binder struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

func (b *binder) env(name, def string) string {
	if v := b.getenv(name); v != "" {
		return v
	}
	return def
}

func (b *binder) str(p *string, name, env, def, usage string) {
	b.fs.StringVar(p, name, b.env(env, def), usage+" ($"+env+")")
}

// boolean binds a flag that stands alone (--demo) or takes a value
// (--demo=false).
func (b *binder) boolean(p *bool, name, env, usage string) {
	def := false
	if s := b.getenv(env); s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want true or false", env, s))
		}
		def = v
	}
	b.fs.BoolVar(p, name, def, usage+" ($"+env+")")
}

func (b *binder) integer(p *int, name, env string, def int, usage string) {
	bindParsed(b, p, name, env, def, usage, "an integer", strconv.Atoi)
}

func (b *binder) duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	bindParsed(b, p, name, env, def, usage, "a duration such as 10s", time.ParseDuration)
}

// bindParsed binds a flag whose text parse reads. A bad environment value
// is collected as an error naming the variable.
func bindParsed[T any](b *binder, p *T, name, env string, def T, usage, want string, parse func(string) (T, error)) {
	*p = def
	if s := b.getenv(env); s != "" {
		v, err := parse(s)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want %s", env, s, want))
		}
		*p = v
	}
	b.fs.Func(name, fmt.Sprintf("%s ($%s) (default %v)", usage, env, def), func(s string) error {
		v, err := parse(s)
		if err != nil {
			return fmt.Errorf("want %s", want)
		}
		*p = v
		return nil
	})
}

func (b *binder) list(p *[]string, name, env, def, usage string) {
	*p = splitList(b.env(env, def))
	b.fs.Func(name, usage+" ($"+env+") (default "+strconv.Quote(def)+")", func(s string) error {
		*p = splitList(s)
		return nil
	})
}

func (b *binder) logLevel(c *Config) {
	c.LogLevel = slog.LevelInfo
	if s := b.getenv("BILLGATE_LOG_LEVEL"); s != "" {
		if err := c.LogLevel.UnmarshalText([]byte(s)); err != nil {
			b.errs = append(b.errs, fmt.Errorf("BILLGATE_LOG_LEVEL=%q: want debug, info, warn or error", s))
		}
	}
	b.fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "minimum log level: debug, info, warn, error ($BILLGATE_LOG_LEVEL)")
}

// external binds what `api` and `worker` need to reach their dependencies.
func (b *binder) external(c *Config) {
	b.str(&c.DB, "db", "BILLGATE_DB", "", "Postgres URL: postgres://user:pass@host:5432/billgate")
	b.str(&c.Temporal, "temporal", "BILLGATE_TEMPORAL", "localhost:7233", "Temporal frontend host:port")
	b.str(&c.Namespace, "namespace", "BILLGATE_NAMESPACE", "default", "Temporal namespace")
	a := &c.TemporalAuth
	b.str(&a.TLSCert, "temporal-tls-cert", "BILLGATE_TEMPORAL_TLS_CERT", "", "client certificate (PEM file) for mutual TLS to Temporal; an API key goes in $BILLGATE_TEMPORAL_API_KEY instead")
	b.str(&a.TLSKey, "temporal-tls-key", "BILLGATE_TEMPORAL_TLS_KEY", "", "its private key (PEM file)")
	b.str(&a.TLSCA, "temporal-tls-ca", "BILLGATE_TEMPORAL_TLS_CA", "", "CA (PEM file) that signed Temporal's certificate (default: the system's roots)")
	b.str(&a.TLSServerName, "temporal-tls-server-name", "BILLGATE_TEMPORAL_TLS_SERVER_NAME", "", "name Temporal's certificate must carry (default: the host of --temporal)")
	// Never a flag: it would show in ps. Setting it turns TLS on.
	a.APIKey = b.getenv("BILLGATE_TEMPORAL_API_KEY")
}

// metrics binds the listener that serves /metrics apart from the API.
func (b *binder) metrics(c *Config, def string) {
	b.str(&c.MetricsAddr, "metrics-addr", "BILLGATE_METRICS_ADDR", def, "listen address of /metrics, kept off --http (empty: no metrics)")
}

// identity binds the login and session rules of the processes that serve the API.
func (b *binder) identity(id *Identity) {
	b.duration(&id.SessionIdle, "session-idle", "BILLGATE_SESSION_IDLE", 2*time.Hour, "a session unused this long expires")
	b.duration(&id.SessionLifetime, "session-lifetime", "BILLGATE_SESSION_LIFETIME", 24*time.Hour, "absolute lifetime of a session")
	b.str(&id.IPBinding, "session-ip-binding", "BILLGATE_SESSION_IP_BINDING", "off", "off, log or strict: refuse a session used from another IP")
	b.integer(&id.LockoutThreshold, "lockout-threshold", "BILLGATE_LOCKOUT_THRESHOLD", auth.DefaultLockout.Threshold, "failed logins that lock an account out for one client IP (with growing backoff)")
	b.boolean(&id.CookieSecure, "cookie-secure", "BILLGATE_COOKIE_SECURE", "mark the sid cookie Secure (serve over HTTPS)")
	b.list(&id.TrustedProxies, "trusted-proxies", "BILLGATE_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs whose X-Forwarded-For is believed")
	id.JWTKeys = b.getenv("BILLGATE_JWT_KEYS") // never a flag: it would show in ps
	b.str(&id.APIKeyScheme, "api-key-scheme", "BILLGATE_API_KEY_SCHEME", "Plain", "the Authorization scheme name that presents API keys")
	b.masterKeys(id)
	b.duration(&id.SignatureSkew, "signature-skew", "BILLGATE_SIGNATURE_SKEW", 300*time.Second, "how far an HTTP Signature's Date may be from now")
	b.integer(&id.ListenValues, "listen-values", "BILLGATE_LISTEN_VALUES", 10, "distinct values listen mode keeps a field before it proposes the wildcard")
}

// masterKeys reads the keys that seal signing-key secrets and Temporal
// payloads. Never a flag: it would show in ps.
func (b *binder) masterKeys(id *Identity) {
	id.MasterKeys = b.getenv("BILLGATE_MASTER_KEYS")
}

// common binds what every long-running command shares.
func (b *binder) common(c *Config) {
	b.str(&c.PublicURL, "public-url", "BILLGATE_PUBLIC_URL", "", "the API's public base URL, for links it hands out (default: http:// and the --http address)")
	c.SandboxSecret = b.getenv("BILLGATE_SANDBOX_SECRET") // never a flag: it would show in ps
	c.GatewayURLs = GatewayURLs{Stripe: b.getenv("BILLGATE_STRIPE_API_URL"), PayPal: b.getenv("BILLGATE_PAYPAL_API_URL"),
		SkrillCheckout: b.getenv("BILLGATE_SKRILL_CHECKOUT_URL"), SkrillAPI: b.getenv("BILLGATE_SKRILL_API_URL")}
	b.logLevel(c)
	b.integer(&c.BodyLimit, "body-limit", "BILLGATE_BODY_LIMIT", 1<<20, "largest request body accepted, in bytes")
	b.duration(&c.ShutdownTimeout, "shutdown-timeout", "BILLGATE_SHUTDOWN_TIMEOUT", 8*time.Second, "how long shutdown waits for in-flight requests and activities")
	b.integer(&c.GatewayRate, "gateway-rate", "BILLGATE_GATEWAY_RATE", 50, "charges a second this process sends each payment gateway at most")
}

// webhookAllow binds --webhook-allow: networks (CIDRs) deliveries may
// reach although they are internal. Never in production: it opens them
// to whoever can create an endpoint.
func (b *binder) webhookAllow(c *Config) {
	const name, env = "webhook-allow", "BILLGATE_WEBHOOK_ALLOW"
	set := func(s string) error {
		c.WebhookAllow = nil
		for _, cidr := range splitList(s) {
			p, err := netip.ParsePrefix(cidr)
			if err != nil {
				return fmt.Errorf("--%s: %q is not a CIDR such as 127.0.0.0/8", name, cidr)
			}
			c.WebhookAllow = append(c.WebhookAllow, p)
		}
		return nil
	}
	if err := set(b.getenv(env)); err != nil {
		b.errs = append(b.errs, err)
	}
	b.fs.Func(name, "internal networks (CIDRs, comma-separated) webhook deliveries may reach all the same, for a receiver on this machine; never in production ($"+env+")", set)
}

// isSchemeName accepts a custom Authorization scheme: a short token that
// is not one of the schemes billgate takes already.
func isSchemeName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, taken := range []string{"Basic", "Bearer", "Signature"} {
		if strings.EqualFold(s, taken) {
			return false
		}
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// isOrigin accepts what a browser sends as Origin: http(s), a host, maybe
// a port, nothing more.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && s == u.Scheme+"://"+u.Host
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (id Identity) validate(command string) []error {
	if command != CommandDev && command != CommandAPI {
		return nil
	}
	var errs []error
	switch id.IPBinding {
	case "off", "log", "strict":
	default:
		errs = append(errs, fmt.Errorf("--session-ip-binding %q: want off, log or strict", id.IPBinding))
	}
	if id.SessionIdle <= 0 || id.SessionLifetime <= 0 {
		errs = append(errs, errors.New("--session-idle and --session-lifetime must be positive"))
	}
	if id.LockoutThreshold < 1 {
		errs = append(errs, fmt.Errorf("--lockout-threshold %d: want at least 1", id.LockoutThreshold))
	}
	for _, p := range id.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			errs = append(errs, fmt.Errorf("--trusted-proxies: %q is neither an IP nor a CIDR", p))
		}
	}
	if id.ListenValues < 1 || id.ListenValues > 200 {
		errs = append(errs, fmt.Errorf("--listen-values %d: want 1-200", id.ListenValues))
	}
	if id.SignatureSkew <= 0 {
		errs = append(errs, errors.New("--signature-skew must be positive"))
	}
	for _, o := range id.TemporalUIOrigins {
		if !isOrigin(o) {
			errs = append(errs, fmt.Errorf("--temporal-ui-origin %q: want an origin such as https://temporal.example.com, without a path", o))
		}
	}
	if !isSchemeName(id.APIKeyScheme) {
		errs = append(errs, fmt.Errorf("--api-key-scheme %q: want a token of letters, digits and -, other than Basic, Bearer and Signature", id.APIKeyScheme))
	}
	if command == CommandDev && id.AdminPassword != "" && len([]rune(id.AdminPassword)) < 12 {
		errs = append(errs, errors.New("BILLGATE_ADMIN_PASSWORD: want at least 12 characters"))
	}
	return errs
}
