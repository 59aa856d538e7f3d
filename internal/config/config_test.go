package config

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/testcerts"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

const pg = "postgres://u:p@db:5432/billgate"

// masterKeys are what api and worker require.
const masterKeys = "k1=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// serverEnv is vars with the master keys api and worker require.
func serverEnv(vars map[string]string) func(string) string {
	withKeys := map[string]string{"BILLGATE_MASTER_KEYS": masterKeys}
	for k, v := range vars {
		withKeys[k] = v
	}
	return env(withKeys)
}

var defaultIdentity = Identity{SessionIdle: 2 * time.Hour, SessionLifetime: 24 * time.Hour, IPBinding: "off", LockoutThreshold: 5, APIKeyScheme: "Plain", SignatureSkew: 300 * time.Second, ListenValues: 10}

func TestParseDefaults(t *testing.T) {
	serverIdentity := defaultIdentity
	serverIdentity.MasterKeys = masterKeys
	devIdentity := serverIdentity
	devIdentity.AdminLogin = "admin"
	tests := []struct {
		args []string
		want Config
	}{
		{[]string{"dev"}, Config{Command: "dev", HTTP: "localhost:8080", TemporalPort: 7233, UIPort: 8233, Namespace: "default",
			LogLevel: slog.LevelInfo, BodyLimit: 1 << 20, ShutdownTimeout: 8 * time.Second, GatewayRate: 50, Identity: devIdentity}},
		{[]string{"dev", "--demo"}, Config{Command: "dev", HTTP: "localhost:8080", TemporalPort: 7233, UIPort: 8233, Namespace: "default", Demo: true,
			LogLevel: slog.LevelInfo, BodyLimit: 1 << 20, ShutdownTimeout: 8 * time.Second, GatewayRate: 50, Identity: devIdentity}},
		{[]string{"api", "--db", pg}, Config{Command: "api", HTTP: ":8080", MetricsAddr: ":9090", DB: pg, Temporal: "localhost:7233", Namespace: "default",
			LogLevel: slog.LevelInfo, BodyLimit: 1 << 20, ShutdownTimeout: 8 * time.Second, GatewayRate: 50, Identity: serverIdentity}},
		{[]string{"worker", "--db", pg}, Config{Command: "worker", HTTP: ":8081", MetricsAddr: ":9091", DB: pg, Temporal: "localhost:7233", Namespace: "default",
			Queues: []string{"subscriptions", "payments", "events"}, LogLevel: slog.LevelInfo, BodyLimit: 1 << 20, ShutdownTimeout: 8 * time.Second, GatewayRate: 50,
			Identity: Identity{MasterKeys: masterKeys}}},
		{[]string{"migrate", "--db", pg}, Config{Command: "migrate", DB: pg, LogLevel: slog.LevelInfo}},
		{[]string{"version"}, Config{Command: "version"}},
		{[]string{"healthcheck"}, Config{Command: "healthcheck", URL: "http://localhost:8080/readyz"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.args, serverEnv(nil), nil)
		if err != nil {
			t.Errorf("Parse(%v) = %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%v) = %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestFlagBeatsEnvBeatsDefault(t *testing.T) {
	vars := map[string]string{
		"BILLGATE_DB":               pg,
		"BILLGATE_TEMPORAL":         "temporal:7233",
		"BILLGATE_QUEUES":           "payments",
		"BILLGATE_LOG_LEVEL":        "debug",
		"BILLGATE_BODY_LIMIT":       "2048",
		"BILLGATE_SHUTDOWN_TIMEOUT": "3s",
		"BILLGATE_HTTP":             ":9000",
	}
	got, err := Parse([]string{"worker", "--http", ":9100", "--queues", "events, subscriptions"}, serverEnv(vars), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HTTP != ":9100" || got.DB != pg || got.Temporal != "temporal:7233" || got.LogLevel != slog.LevelDebug ||
		got.BodyLimit != 2048 || got.ShutdownTimeout != 3*time.Second || !slices.Equal(got.Queues, []string{"events", "subscriptions"}) {
		t.Errorf("Parse() = %+v", got)
	}
	got, err = Parse([]string{"worker"}, serverEnv(vars), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HTTP != ":9000" || !slices.Equal(got.Queues, []string{"payments"}) {
		t.Errorf("Parse() from env = %+v, want http :9000 and queues [payments]", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args    []string
		env     map[string]string
		wantErr string
	}{
		{nil, nil, "no command given"},
		{[]string{"serve"}, nil, `unknown command "serve"`},
		{[]string{"api", "--nope"}, nil, "flag provided but not defined"},
		{[]string{"api"}, nil, "--db (BILLGATE_DB) is required"},
		{[]string{"api", "--db", "mysql://x"}, nil, "--db: want postgres://"},
		{[]string{"api", "--db", "postgres://"}, nil, "not a valid postgres URL"},
		{[]string{"api", "--db", pg, "--temporal", "nohostport"}, nil, `--temporal "nohostport": want host:port`},
		{[]string{"api", "--db", pg, "--http", "8080"}, nil, `--http "8080": want host:port`},
		{[]string{"api", "--db", pg, "--body-limit", "0"}, nil, "--body-limit 0"},
		{[]string{"worker", "--db", pg, "--queues", ""}, nil, "name at least one queue"},
		{[]string{"worker", "--db", pg, "--queues", "payments,refunds"}, nil, `unknown queue "refunds"`},
		{[]string{"dev", "--temporal-port", "0"}, nil, "--temporal-port 0: want 1-65535"},
		{[]string{"dev"}, map[string]string{"BILLGATE_UI_PORT": "abc"}, `BILLGATE_UI_PORT="abc": want an integer`},
		{[]string{"dev"}, map[string]string{"BILLGATE_LOG_LEVEL": "loud"}, `BILLGATE_LOG_LEVEL="loud"`},
		{[]string{"dev"}, map[string]string{"BILLGATE_SHUTDOWN_TIMEOUT": "soon"}, `BILLGATE_SHUTDOWN_TIMEOUT="soon"`},
		{[]string{"migrate", "--db", pg, "extra"}, nil, `unexpected argument "extra"`},
		{[]string{"healthcheck", "--url", "ftp://x"}, nil, "want an http(s) URL"},
		{[]string{"api", "--db", pg, "--session-ip-binding", "loose"}, nil, `--session-ip-binding "loose"`},
		{[]string{"api", "--db", pg, "--api-key-scheme", "Bearer"}, nil, `--api-key-scheme "Bearer"`},
		{[]string{"api", "--db", pg, "--api-key-scheme", "Key Id"}, nil, `--api-key-scheme "Key Id"`},
		{[]string{"api", "--db", pg, "--trusted-proxies", "10.0.0.0/8,proxy.local"}, nil, `"proxy.local" is neither an IP nor a CIDR`},
		{[]string{"api", "--db", pg, "--lockout-threshold", "0"}, nil, "--lockout-threshold 0"},
		{[]string{"api", "--db", pg}, map[string]string{"BILLGATE_COOKIE_SECURE": "yes please"}, `BILLGATE_COOKIE_SECURE="yes please": want true or false`},
		{[]string{"dev"}, map[string]string{"BILLGATE_ADMIN_PASSWORD": "short"}, "BILLGATE_ADMIN_PASSWORD: want at least 12"},
		{[]string{"dev"}, map[string]string{"BILLGATE_DEMO": "sure"}, `BILLGATE_DEMO="sure": want true or false`},
		{[]string{"api", "--db", pg, "--demo"}, nil, "flag provided but not defined: -demo"},
		{[]string{"api", "--db", pg, "--metrics-addr", "9090"}, nil, `--metrics-addr "9090": want host:port`},
		{[]string{"worker", "--db", pg, "--metrics-addr", ":8081"}, nil, `--metrics-addr ":8081": want another address than --http`},
		{[]string{"dev", "--metrics-addr", ":9090"}, nil, "flag provided but not defined: -metrics-addr"},
		{[]string{"dev", "--temporal-tls-cert", "c.pem"}, nil, "flag provided but not defined: -temporal-tls-cert"},
		{[]string{"api", "--db", pg}, nil, "BILLGATE_MASTER_KEYS is required"},
		{[]string{"worker", "--db", pg}, nil, "BILLGATE_MASTER_KEYS is required"},
		{[]string{"api", "--db", pg, "--temporal-ui-origin", "*"}, nil, `--temporal-ui-origin "*": want an origin`},
		{[]string{"api", "--db", pg, "--temporal-ui-origin", "https://ui.example.com/"}, nil, `--temporal-ui-origin "https://ui.example.com/"`},
		{[]string{"api", "--db", pg}, map[string]string{"BILLGATE_TEMPORAL_UI_ORIGIN": "ui.example.com"}, `--temporal-ui-origin "ui.example.com"`},
		{[]string{"api", "--db", pg, "--temporal-ui-origin", "https://u:p@ui.example.com"}, nil, `--temporal-ui-origin "https://u:p@ui.example.com"`},
		{[]string{"worker", "--db", pg, "--temporal-ui-origin", "https://ui.example.com"}, nil, "flag provided but not defined: -temporal-ui-origin"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args, env(tt.env), nil)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%v, %v) = %v, want error containing %q", tt.args, tt.env, err, tt.wantErr)
		}
	}
}

// The Temporal UI's origins, for the codec endpoint's CORS: as a browser
// sends them, ports and all.
func TestTemporalUIOrigins(t *testing.T) {
	got, err := Parse([]string{"api", "--db", pg}, serverEnv(map[string]string{"BILLGATE_TEMPORAL_UI_ORIGIN": "https://temporal.example.com, http://127.0.0.1:8233"}), nil)
	if want := []string{"https://temporal.example.com", "http://127.0.0.1:8233"}; err != nil || !slices.Equal(got.Identity.TemporalUIOrigins, want) {
		t.Errorf("Parse(BILLGATE_TEMPORAL_UI_ORIGIN) = %q, %v, want %q", got.Identity.TemporalUIOrigins, err, want)
	}
}

func TestIdentityFromEnv(t *testing.T) {
	got, err := Parse([]string{"dev"}, env(map[string]string{
		"BILLGATE_COOKIE_SECURE": "true", "BILLGATE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
		"BILLGATE_SESSION_IP_BINDING": "strict", "BILLGATE_ADMIN_LOGIN": "ops", "BILLGATE_ADMIN_PASSWORD": "correct horse battery",
		"BILLGATE_API_KEY_SCHEME": "Key",
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{SessionIdle: 2 * time.Hour, SessionLifetime: 24 * time.Hour, IPBinding: "strict", LockoutThreshold: 5,
		CookieSecure: true, TrustedProxies: []string{"10.0.0.0/8", "192.0.2.7"}, AdminLogin: "ops", AdminPassword: "correct horse battery", APIKeyScheme: "Key", SignatureSkew: 300 * time.Second, ListenValues: 10}
	if !reflect.DeepEqual(got.Identity, want) {
		t.Errorf("Parse(dev).Identity = %+v, want %+v", got.Identity, want)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"api", "--help"}, {"dev", "-h"}} {
		var out strings.Builder
		_, err := Parse(args, env(nil), &out)
		if !errors.Is(err, ErrHelp) || out.Len() == 0 {
			t.Errorf("Parse(%v) = %v with %d bytes of help, want ErrHelp and help text", args, err, out.Len())
		}
	}
	var out strings.Builder
	_, _ = Parse([]string{"dev", "--help"}, env(nil), &out)
	for _, flag := range []string{"-http", "$BILLGATE_HTTP", "-data-dir", "$BILLGATE_DATA_DIR", "-temporal-port", "-ui-port", "-log-level"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("dev --help lacks %q", flag)
		}
	}
	for _, command := range []string{"api", "worker"} {
		var out strings.Builder
		_, _ = Parse([]string{command, "--help"}, env(nil), &out)
		for _, flag := range []string{"-metrics-addr", "$BILLGATE_METRICS_ADDR", "-temporal-tls-cert", "$BILLGATE_TEMPORAL_TLS_CERT",
			"-temporal-tls-key", "-temporal-tls-ca", "-temporal-tls-server-name", "$BILLGATE_TEMPORAL_TLS_SERVER_NAME"} {
			if !strings.Contains(out.String(), flag) {
				t.Errorf("%s --help lacks %q", command, flag)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("api", "--db", "postgres://u@h/db", "BILLGATE_QUEUES", "payments")
	f.Add("worker", "--queues", ",,", "BILLGATE_BODY_LIMIT", "-1")
	f.Fuzz(func(t *testing.T, cmd, flag, value, envKey, envValue string) {
		_, _ = Parse([]string{cmd, flag, value}, env(map[string]string{envKey: envValue}), &strings.Builder{})
	})
}

func TestParseMetricsOff(t *testing.T) {
	got, err := Parse([]string{"api", "--db", pg, "--metrics-addr", ""}, serverEnv(nil), nil)
	if err != nil || got.MetricsAddr != "" {
		t.Errorf("Parse(--metrics-addr '') = %q, %v; want no metrics listener", got.MetricsAddr, err)
	}
	got, err = Parse([]string{"worker", "--db", pg}, serverEnv(map[string]string{"BILLGATE_METRICS_ADDR": "127.0.0.1:9100"}), nil)
	if err != nil || got.MetricsAddr != "127.0.0.1:9100" {
		t.Errorf("Parse(BILLGATE_METRICS_ADDR) = %q, %v; want 127.0.0.1:9100", got.MetricsAddr, err)
	}
}

func TestParseTemporalAuth(t *testing.T) {
	pki := testcerts.New(t)
	got, err := Parse([]string{"worker", "--db", pg, "--temporal-tls-cert", pki.ClientCert, "--temporal-tls-key", pki.ClientKey},
		serverEnv(map[string]string{"BILLGATE_TEMPORAL_TLS_CA": pki.CA, "BILLGATE_TEMPORAL_TLS_SERVER_NAME": "temporal.internal", "BILLGATE_TEMPORAL_API_KEY": "k"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := TemporalAuth{TLSCert: pki.ClientCert, TLSKey: pki.ClientKey, TLSCA: pki.CA, TLSServerName: "temporal.internal", APIKey: "k"}
	if got.TemporalAuth != want {
		t.Errorf("Parse().TemporalAuth = %+v, want %+v", got.TemporalAuth, want)
	}
	conf, err := got.TemporalAuth.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cert, err := conf.GetClientCertificate(nil); err != nil || len(cert.Certificate) == 0 {
		t.Errorf("client certificate = %v, %v; want the one in %s", cert, err, pki.ClientCert)
	}
	if conf.ServerName != "temporal.internal" || conf.RootCAs == nil {
		t.Errorf("TLSConfig() = server name %q, roots %v; want temporal.internal and the CA", conf.ServerName, conf.RootCAs)
	}
}

func TestTemporalAuthTLS(t *testing.T) {
	tests := []struct {
		auth              TemporalAuth
		tls, authenticate bool
	}{
		{TemporalAuth{}, false, false},
		{TemporalAuth{TLSCA: "ca.pem"}, true, false},
		{TemporalAuth{TLSCert: "c", TLSKey: "k"}, true, true},
		{TemporalAuth{APIKey: "k"}, true, true}, // an API key never travels in plain text
	}
	for _, tt := range tests {
		if tt.auth.TLS() != tt.tls || tt.auth.Authenticated() != tt.authenticate {
			t.Errorf("%+v: TLS() = %v, Authenticated() = %v; want %v, %v", tt.auth, tt.auth.TLS(), tt.auth.Authenticated(), tt.tls, tt.authenticate)
		}
	}
	if conf, err := (TemporalAuth{}).TLSConfig(); conf != nil || err != nil {
		t.Errorf("TLSConfig() without settings = %v, %v; want plain text", conf, err)
	}
}

// Bad or unreadable files are refused at start, naming the setting.
func TestParseTemporalAuthErrors(t *testing.T) {
	pki := testcerts.New(t)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--temporal-tls-cert", pki.ClientCert}, "--temporal-tls-cert and --temporal-tls-key: give both or neither"},
		{[]string{"--temporal-tls-key", pki.ClientKey}, "--temporal-tls-cert and --temporal-tls-key: give both or neither"},
		{[]string{"--temporal-tls-ca", missing}, "--temporal-tls-ca: open " + missing},
		{[]string{"--temporal-tls-ca", notPEM}, "--temporal-tls-ca " + notPEM + ": no PEM certificate in it"},
		{[]string{"--temporal-tls-cert", missing, "--temporal-tls-key", pki.ClientKey}, "--temporal-tls-cert " + missing},
		{[]string{"--temporal-tls-cert", pki.ClientCert, "--temporal-tls-key", notPEM}, "--temporal-tls-key " + notPEM},
		{[]string{"--temporal-tls-cert", pki.ClientCert, "--temporal-tls-key", pki.ServerKey}, "private key does not match public key"},
	}
	for _, tt := range tests {
		for _, command := range []string{"api", "worker"} {
			args := append([]string{command, "--db", pg}, tt.args...)
			_, err := Parse(args, env(nil), nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%v) = %v, want error containing %q", args, err, tt.wantErr)
			}
		}
	}
}
