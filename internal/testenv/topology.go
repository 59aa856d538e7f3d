package testenv

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/sealed"
	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/app"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/payloadcodec"
	"github.com/billgate/billgate/internal/topology"
	"github.com/billgate/billgate/models"
)

// TopologyEnv is the variable that runs the end-to-end tests on the
// production topology: when it is set, the test binary's TestMain calls
// StartTopology, and every Start then runs billgate as the topology's
// separate processes (internal/topology) instead of inside the test.
const TopologyEnv = "BILLGATE_E2E_TOPOLOGY"

// backends are the topology's Postgres and Temporal, shared by every Env
// of the test binary; nil when the tests run billgate in process.
var backends *topology.Backends

// stacks numbers the stacks, each with a database and namespace of its own.
var stacks atomic.Int64

// StartTopology builds the topology's programs and starts its backends in
// dir; root is the repository. The returned function stops them.
func StartTopology(root, dir string) (stop func(), err error) {
	ctx := context.Background()
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	opts := topology.Options{Root: root, Bin: filepath.Join(root, "bin", "topology"), Dir: dir}
	if err := topology.Build(ctx, opts.Root, opts.Bin); err != nil {
		return nil, err
	}
	b, err := topology.StartBackends(ctx, opts)
	if err != nil {
		return nil, err
	}
	backends = b
	return b.Stop, nil
}

// OnTopology tells whether Start runs billgate as the production topology.
func OnTopology() bool { return backends != nil }

// startOnTopology is Start on the topology: a stack of its own, with the
// keys and secrets the in-process billgate uses.
func startOnTopology(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.DataDir != "" || opts.DB != "" || opts.Queues != nil || opts.Partitionable || opts.Connectors != nil {
		t.Fatalf("this test needs the in-process billgate: it cannot run on the topology (%s)", TopologyEnv)
	}
	env := []string{"BILLGATE_MASTER_KEYS=" + MasterKeys, "BILLGATE_SANDBOX_SECRET=" + SandboxSecret}
	if len(opts.WebhookAllow) > 0 {
		var cidrs []string
		for _, p := range opts.WebhookAllow {
			cidrs = append(cidrs, p.String())
		}
		env = append(env, "BILLGATE_WEBHOOK_ALLOW="+strings.Join(cidrs, ","))
	}
	if id := opts.Identity; id != nil {
		env = append(env, identityEnv(*id)...)
	}
	ctx := context.Background()
	stack, err := backends.StartStack(ctx, topology.StackOptions{Name: fmt.Sprintf("e2e_%d", stacks.Add(1)), Env: env})
	if err != nil {
		t.Fatalf("start billgate on the topology: %v", err)
	}
	t.Cleanup(stack.Stop)
	store, err := models.Open(ctx, stack.DB, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	masterKeys := MasterKeys
	if opts.Identity != nil && opts.Identity.MasterKeys != "" {
		masterKeys = opts.Identity.MasterKeys
	}
	keys, err := sealed.ParseKeys(masterKeys)
	if err != nil {
		t.Fatal(err)
	}
	box, err := sealed.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	codec := payloadcodec.New(box)
	tc, err := app.DialTemporal(ctx, app.TemporalTarget{HostPort: backends.Temporal.Addr, Namespace: stack.Namespace, Codec: codec}, logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return &Env{URL: stack.URL, HTTP: apitest.Client(t), Temporal: tc, DB: stack.DB, t: t, opts: opts,
		store: store, hasher: password.New(testPasswords), codec: codec, stack: stack}
}

// identityEnv is the environment that gives the API processes id, as the
// flags of config.identity read it.
func identityEnv(id config.Identity) []string {
	env := []string{
		"BILLGATE_SESSION_IDLE=" + id.SessionIdle.String(),
		"BILLGATE_SESSION_LIFETIME=" + id.SessionLifetime.String(),
		"BILLGATE_SESSION_IP_BINDING=" + id.IPBinding,
		"BILLGATE_LOCKOUT_THRESHOLD=" + strconv.Itoa(id.LockoutThreshold),
		"BILLGATE_COOKIE_SECURE=" + strconv.FormatBool(id.CookieSecure),
		"BILLGATE_TRUSTED_PROXIES=" + strings.Join(append([]string{topology.ProxyAddr}, id.TrustedProxies...), ","),
		"BILLGATE_API_KEY_SCHEME=" + id.APIKeyScheme,
		"BILLGATE_SIGNATURE_SKEW=" + id.SignatureSkew.String(),
		"BILLGATE_LISTEN_VALUES=" + strconv.Itoa(id.ListenValues),
		"BILLGATE_TEMPORAL_UI_ORIGIN=" + strings.Join(id.TemporalUIOrigins, ","),
	}
	if id.JWTKeys != "" {
		env = append(env, "BILLGATE_JWT_KEYS="+id.JWTKeys)
	}
	if id.MasterKeys != "" {
		env = append(env, "BILLGATE_MASTER_KEYS="+id.MasterKeys)
	}
	return env
}
