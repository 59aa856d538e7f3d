package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/internal/devserver"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// buildFlags are the flags the binary under test is built with, as the
// shipped binary is (-s -w); the race build adds -race so the binary shares
// the test's compiled packages, and names the binary apart.
var (
	buildFlags = []string{"build", "-ldflags=-s -w"}
	binaryName = "billgate"
)

// binary is the billgate under test, kept in bin/e2e between runs: go build
// leaves it as it is while billgate's code is unchanged, and linking the
// Temporal server again would cost a minute of every run (docs/testing.md).
var binary string

func TestMain(m *testing.M) {
	bin, err := filepath.Abs(filepath.Join("..", "bin", "e2e"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(bin, binaryName)
	// Every api and worker the tests start shares the keys that seal
	// Temporal payloads, as production's must.
	if err := os.Setenv("BILLGATE_MASTER_KEYS", testenv.MasterKeys); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	build := exec.Command("go", append(buildFlags, "-o", binary, "../cmd/billgate")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build billgate:", err)
		os.Exit(1)
	}
	if os.Getenv(testenv.TopologyEnv) == "" {
		os.Exit(m.Run())
	}
	os.Exit(onTopology(m))
}

// onTopology runs the tests with billgate as the production topology's
// processes (testenv.TopologyEnv). It keeps the processes' logs when a
// test fails.
func onTopology(m *testing.M) int {
	dir, err := os.MkdirTemp("", "billgate-e2e-topology-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	stop, err := testenv.StartTopology("..", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the topology:", err)
		return 1
	}
	code := m.Run()
	stop()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "the topology's logs are in", dir)
		return code
	}
	_ = os.RemoveAll(dir)
	return code
}

// process is a running billgate binary.
type process struct {
	cmd    *exec.Cmd
	stdout *bufio.Scanner
	stderr strings.Builder
	done   chan error
}

func start(t *testing.T, args ...string) *process {
	t.Helper()
	return startWith(t, nil, args...)
}

// startWith starts the binary with env added to this process's.
func startWith(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary, args...), done: make(chan error, 1)}
	p.cmd.Env = append(append(os.Environ(), "BILLGATE_LOG_LEVEL=warn"), env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdout = bufio.NewScanner(out)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		p.done <- nil
	})
	return p
}

// waitForLine reads stdout until a line contains want.
func (p *process) waitForLine(t *testing.T, want string) {
	t.Helper()
	for p.stdout.Scan() {
		if strings.Contains(p.stdout.Text(), want) {
			go func() { // keep draining so the process never blocks on a full pipe
				for p.stdout.Scan() {
				}
			}()
			return
		}
	}
	err := <-p.done // Wait returns once stderr is all copied: read it only then
	p.done <- err
	t.Fatalf("billgate exited before printing %q (%v); stderr:\n%s", want, err, p.stderr.String())
}

// stop signals the process and checks it exits 0 within the 10 s that
// Kubernetes and Ctrl-C users are promised.
func (p *process) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("billgate exited with %v after %v; stderr:\n%s", err, sig, p.stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("billgate still running 10s after %v", sig)
	}
}

// sharedBackends starts what separate api and worker processes share: a
// database migrated by `billgate migrate` (Postgres when TEST_DATABASE_URL
// is set, a SQLite file otherwise) and a Temporal server.
func sharedBackends(t *testing.T) (db string, temporal *devserver.Server) {
	t.Helper()
	return sharedBackendsWith(t, devserver.Options{})
}

// sharedBackendsWith starts them with a Temporal configured by opts (its TLS
// or API key); the UI is off and billgate's search attributes registered.
func sharedBackendsWith(t *testing.T, opts devserver.Options) (db string, temporal *devserver.Server) {
	t.Helper()
	db = dbtest.Postgres(t)
	if db == "" {
		db = "sqlite:" + filepath.Join(t.TempDir(), "billgate.db")
	}
	opts.UIPort, opts.SearchAttributes = -1, contract.SearchAttributes()
	temporal, err := devserver.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(temporal.Stop)
	out, err := exec.Command(binary, "migrate", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "database schema at version") {
		t.Fatalf("billgate migrate = %v: %s", err, out)
	}
	return db, temporal
}

// freePort finds a port nothing listens on for billgate to bind a moment
// later. It picks below the range the kernel hands out to outgoing
// connections, so that a client connection (to Postgres, say) cannot take
// the port in between.
func freePort(t *testing.T) int {
	t.Helper()
	const lowest = 10000
	below := outgoingPortsFrom()
	for range 100 {
		addr := "127.0.0.1:0"
		if below > lowest {
			addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(lowest+rand.IntN(below-lowest)))
		}
		if l, err := net.Listen("tcp", addr); err == nil {
			defer l.Close()
			return l.Addr().(*net.TCPAddr).Port
		}
	}
	t.Fatal("no free port found")
	return 0
}

// outgoingPortsFrom is the first port of the kernel's ephemeral range.
func outgoingPortsFrom() int {
	from := 32768 // Linux's default
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		fmt.Sscan(string(b), &from)
	}
	return from
}

func waitStatus(t *testing.T, c *http.Client, url string, want int) {
	t.Helper()
	waitFor(t, url+" to answer "+fmt.Sprint(want), func() bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == want
	})
}

// `billgate dev` serves the API, its docs and metrics, and the Temporal
// UI, then exits 0 on SIGINT; a second run on the same data directory
// starts from the state the first one left, its access tokens and signing
// keys included.
func TestBinaryDev(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var token, session string
	var signed signer
	httpPort := freePort(t) // the same address: a token names it as its issuer
	for i, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		uiPort := freePort(t)
		// No master keys given: dev keeps its own in the data dir.
		p := startWith(t, []string{"BILLGATE_ADMIN_PASSWORD=" + goodPassword, "BILLGATE_MASTER_KEYS="}, "dev", "--http", fmt.Sprintf("127.0.0.1:%d", httpPort),
			"--temporal-port", fmt.Sprint(freePort(t)), "--ui-port", fmt.Sprint(uiPort), "--data-dir", dir)
		p.waitForLine(t, "Press Ctrl-C")
		base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
		c := apitest.Client(t)
		waitStatus(t, c, base+"/readyz", http.StatusOK)
		for _, path := range []string{"/healthz", "/openapi.yaml", "/docs/index.html", "/metrics"} {
			waitStatus(t, c, base+path, http.StatusOK)
		}
		waitStatus(t, http.DefaultClient, fmt.Sprintf("http://127.0.0.1:%d/", uiPort), http.StatusOK)
		if i == 0 {
			session = callAt(t, c, base, "POST", "/auth/session", creds("admin", "")).Result["token"].(string)
			admin := []string{"Authorization", "Bearer " + session}
			token = callAt(t, c, base, "POST", "/auth/token", "", admin...).Result["token"].(string)
			key := callAt(t, c, base, "POST", "/v1/signing-keys", `{"algorithm":"hmac-sha256"}`, admin...).Result
			signed = signer{keyID: key["keyId"].(string), secret: key["secret"].(string), algorithm: "hmac-sha256", signs: []string{"(request-target)", "host", "date"}, now: time.Now}
		}
		signed.c, signed.base = c, base
		uiDecodes(t, c, base, fmt.Sprintf("http://127.0.0.1:%d", uiPort), session)
		if r := signed.call(t, "GET", "/v1/profile", ""); r.Status != http.StatusOK {
			t.Errorf("run %d: a signed call = %d %+v", i+1, r.Status, r.Errors)
		}
		if r := callAt(t, c, base, "GET", "/v1/profile", "", "Authorization", "Bearer "+token); r.Status != http.StatusOK {
			t.Errorf("run %d: the access token = %d %+v", i+1, r.Status, r.Errors)
		}
		p.stop(t, sig)
		if i == 0 {
			for _, f := range []string{"billgate.db", "temporal.db", "jwt.key", "master.key"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("data dir lacks %s after the first run: %v", f, err)
				}
			}
		}
	}
}

// uiDecodes checks that dev's embedded UI at ui decodes payloads through
// the API at base, with the admin's session cookie.
func uiDecodes(t *testing.T, c *http.Client, base, ui, session string) {
	t.Helper()
	resp, err := http.Get(ui + "/api/v1/settings")
	if err != nil {
		t.Fatal(err)
	}
	var settings struct {
		Codec struct {
			Endpoint           string
			IncludeCredentials bool
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&settings)
	resp.Body.Close()
	if err != nil || settings.Codec.Endpoint != base+"/temporal-codec" || !settings.Codec.IncludeCredentials {
		t.Errorf("UI codec settings = %+v, %v, want %s/temporal-codec with credentials", settings.Codec, err, base)
	}
	r := callAt(t, c, base, "POST", "/temporal-codec/decode", `{"payloads":[]}`, "Cookie", "sid="+session, "Origin", ui, "X-Namespace", "default")
	if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != ui {
		t.Errorf("decode from the UI = %d %+v (Access-Control-Allow-Origin %q), want 200 readable by %s", r.Status, r.Errors, r.Header.Get("Access-Control-Allow-Origin"), ui)
	}
}

// `billgate api` and `billgate worker` run as separate processes against
// one database and one Temporal: the API is ready only once the worker
// process polls every queue.
func TestBinaryAPIAndWorkerProcesses(t *testing.T) {
	t.Parallel()
	db, temporal := sharedBackends(t)
	apiPort, workerPort := freePort(t), freePort(t)
	common := []string{"--db", db, "--temporal", temporal.FrontendAddr(), "--namespace", temporal.Namespace(), "--metrics-addr", ""}
	api := start(t, append([]string{"api", "--http", fmt.Sprintf("127.0.0.1:%d", apiPort)}, common...)...)
	c := apitest.Client(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	waitStatus(t, c, base+"/readyz", http.StatusServiceUnavailable) // no worker yet
	waitStatus(t, c, base+"/readyz?exclude=workers", http.StatusOK)
	// Without BILLGATE_SANDBOX_SECRET production serves no sandbox gateway:
	// its tokens would pay without money.
	waitStatus(t, c, base+"/sandbox/approve/ch_1", http.StatusNotFound)

	worker := start(t, append([]string{"worker", "--http", fmt.Sprintf("127.0.0.1:%d", workerPort), "--queues", "subscriptions,payments,events"}, common...)...)
	waitStatus(t, c, fmt.Sprintf("http://127.0.0.1:%d/readyz", workerPort), http.StatusOK)
	waitStatus(t, c, base+"/readyz", http.StatusOK)

	worker.stop(t, syscall.SIGTERM)
	api.stop(t, syscall.SIGTERM)
}

// Bad input ends in one clear line on stderr and exit status 1, never a
// stack trace.
func TestBinaryBadInput(t *testing.T) {
	t.Parallel()
	fresh := "sqlite:" + filepath.Join(t.TempDir(), "fresh.db")
	migratedDB := "sqlite:" + filepath.Join(t.TempDir(), "migrated.db")
	if out, err := exec.Command(binary, "migrate", "--db", migratedDB).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	closedPort := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"serve"}, `unknown command "serve"`},
		{"unknown flag", []string{"api", "--nope"}, "flag provided but not defined: -nope"},
		{"stray argument", []string{"migrate", "--db", fresh, "extra"}, `unexpected argument "extra"`},
		{"bad dsn", []string{"api", "--db", "mysql://localhost/x"}, "--db: want postgres://… or sqlite:PATH"},
		{"missing dsn", []string{"worker"}, "--db (BILLGATE_DB) is required"},
		{"bad queue", []string{"worker", "--db", fresh, "--queues", "payments,invoices"}, `unknown queue "invoices"`},
		{"bad port", []string{"dev", "--ui-port", "70000"}, "--ui-port 70000: want 1-65535"},
		{"schema behind", []string{"api", "--db", fresh, "--temporal", closedPort, "--metrics-addr", ""}, "database is at version 0, this billgate needs"},
		{"postgres unreachable", []string{"migrate", "--db", "postgres://billgate:x@" + closedPort + "/billgate?connect_timeout=2"}, "database unavailable"},
		{"temporal unreachable", []string{"worker", "--db", migratedDB, "--temporal", closedPort, "--metrics-addr", ""}, "temporal: cannot reach " + closedPort},
		{"unreadable temporal CA", []string{"worker", "--db", migratedDB, "--temporal-tls-ca", "/nonexistent/ca.pem"}, "--temporal-tls-ca: open /nonexistent/ca.pem"},
		{"temporal certificate without key", []string{"api", "--db", migratedDB, "--temporal-tls-cert", "/nonexistent/tls.crt"}, "--temporal-tls-cert and --temporal-tls-key: give both or neither"},
		{"unhealthy url", []string{"healthcheck", "--url", "http://" + closedPort + "/readyz"}, "healthcheck:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Fatalf("billgate %v exited %d, want 1", tt.args, code)
			}
			if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 ||
				!strings.HasPrefix(lines[0], "billgate: ") || !strings.Contains(lines[0], tt.wantErr) {
				t.Errorf("stderr = %q, want one line billgate: …%s…", stderr.String(), tt.wantErr)
			}
			if s := stderr.String(); strings.Contains(s, "goroutine ") || strings.Contains(s, "panic") {
				t.Errorf("stderr has a stack trace:\n%s", s)
			}
		})
	}
}

func TestBinaryHelpAndVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"dev", "api", "worker", "migrate", "version"}},
		{[]string{"api", "--help"}, []string{"-db", "$BILLGATE_DB", "-temporal", "$BILLGATE_TEMPORAL", "-namespace", "-metrics-addr", "-temporal-tls-cert", "$BILLGATE_TEMPORAL_API_KEY"}},
		{[]string{"worker", "--help"}, []string{"-queues", "$BILLGATE_QUEUES", "-metrics-addr", "-temporal-tls-ca"}},
		{[]string{"dev", "--help"}, []string{"-data-dir", "-temporal-port", "-ui-port", "-http"}},
		{[]string{"version"}, []string{"billgate ", "go.temporal.io/server v1.32.0"}},
	}
	for _, tt := range tests {
		out, err := exec.Command(binary, tt.args...).Output()
		if err != nil {
			t.Errorf("billgate %v = %v, want exit 0", tt.args, err)
		}
		for _, want := range tt.want {
			if !strings.Contains(string(out), want) {
				t.Errorf("billgate %v output lacks %q:\n%s", tt.args, want, out)
			}
		}
	}
}

// Accounts imported with legacy hashes log in with their old passwords and
// are rehashed to argon2id on the way.
func TestBinaryImportClients(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{DataDir: t.TempDir()})
	salt, pw := "pepper", "bobs old password"
	sum := sha256.Sum256(append([]byte(salt), pw...))
	legacy := fmt.Sprintf("$sha256$%s$%s", hex.EncodeToString([]byte(salt)), hex.EncodeToString(sum[:]))
	file := filepath.Join(t.TempDir(), "clients.jsonl")
	lines := `{"login":"shop","password":"correct horse battery staple"}` + "\n" +
		`{"login":"bob","tenant":"shop","passwordHash":"` + legacy + `"}` + "\n"
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "admin", "import-clients", "--db", env.DB, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "imported 2 accounts (1 with legacy hashes") {
		t.Fatalf("billgate admin import-clients = %v: %s", err, out)
	}
	again, err := exec.Command(binary, "admin", "import-clients", "--db", env.DB, file).CombinedOutput()
	if err == nil || !strings.Contains(string(again), "nothing imported") || !strings.Contains(string(again), "line 1:") {
		t.Errorf("a second import = %v: %s, want it refused naming line 1", err, again)
	}

	login(t, env, `{"login":"bob","password":"`+pw+`","tenant":"shop"}`)
	shop, err := env.Store().ClientByLogin(context.Background(), nil, "shop")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := env.Store().ClientByLogin(context.Background(), &shop.ID, "bob")
	if err != nil || !strings.HasPrefix(bob.PasswordHash, "$argon2id$") {
		t.Errorf("bob's hash after login = %q, %v; want it rehashed to argon2id", bob.PasswordHash, err)
	}
	login(t, env, `{"login":"bob","password":"`+pw+`","tenant":"shop"}`)
}
