// Package topology runs billgate's production topology on one machine,
// each part its own OS process, as docker-compose.yml and deploy/k8s lay it
// out: Postgres; the official Temporal server with its persistence and
// visibility on that Postgres; `billgate migrate`; API replicas behind a
// round-robin proxy; and one `billgate worker` per task queue. The
// processes get the compose file's flags and environment.
//
// Backends (Postgres and Temporal) are shared; each Stack is one billgate
// on its own database and namespace, so that tests can run stacks side by
// side. Any process can be killed and started again, which is what the
// chaos run does. make topology runs one stack (docs/operations.md).
package topology

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/billgate/billgate/internal/config"
)

// Options says where the topology's programs and files are.
type Options struct {
	// Root is the repository, whose deploy/temporal holds Temporal's
	// dynamic config.
	Root string
	// Bin holds billgate, temporal-server and temporal-sql-tool (Build).
	Bin string
	// Dir keeps the data and the logs.
	Dir string
	// PostgresPort is Postgres's port; 0 picks a free one.
	PostgresPort int
}

// Build builds the topology's programs into bin: billgate, as the
// end-to-end tests build it (sharing their build cache), and
// Temporal's server and schema tool from the go.temporal.io/server module
// go.mod pins (its tool directives).
func Build(ctx context.Context, root, bin string) error {
	for name, pkg := range map[string]string{
		"billgate":          "./cmd/billgate",
		"temporal-server":   "go.temporal.io/server/cmd/server",
		"temporal-sql-tool": "go.temporal.io/server/cmd/tools/sql",
	} {
		cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w", "-o", filepath.Join(bin, name), pkg)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", name, err)
		}
	}
	return nil
}

// Backends are what every stack shares: Postgres and Temporal.
type Backends struct {
	Postgres *Postgres
	Temporal *Temporal
	opts     Options
}

// StartBackends starts Postgres, creates Temporal's schemas in it, and
// starts Temporal.
func StartBackends(ctx context.Context, o Options) (*Backends, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	// Postgres, running as another user under root, must reach its files.
	if err := os.Chmod(o.Dir, 0o755); err != nil {
		return nil, err
	}
	port := o.PostgresPort
	if port == 0 {
		ports, err := freePorts(1)
		if err != nil {
			return nil, err
		}
		port = ports[0]
	}
	pg, err := startPostgres(ctx, o.Dir, port)
	if err != nil {
		return nil, err
	}
	temporal, err := startTemporal(ctx, o, pg)
	if err == nil {
		err = pg.CreateRole(ctx, appUser, appPassword, false)
	}
	if err != nil {
		if temporal != nil {
			temporal.Stop(10 * time.Second)
		}
		pg.Stop(10 * time.Second)
		return nil, err
	}
	return &Backends{Postgres: pg, Temporal: temporal, opts: o}, nil
}

// Stop stops Temporal, then Postgres.
func (b *Backends) Stop() {
	b.Temporal.Stop(10 * time.Second)
	b.Postgres.Stop(10 * time.Second)
}

// Keys every stack's billgate processes share unless StackOptions.Env
// says otherwise, as the compose file's do: local, for no other use.
const (
	JWTKeys       = "topology=dG9wb2xvZ3ktbG9jYWwtand0LWtleS1ub3QtcHJvZCE="
	MasterKeys    = "topology=dG9wb2xvZ3ktbG9jYWwtbWFzdGVyLWtleS0zMmIhISE="
	SandboxSecret = "topology-sandbox-webhook-secret"
)

// appUser owns every stack's database, as billgate does in compose.
const appUser, appPassword = "billgate", "billgate"

// StackOptions shapes one billgate.
type StackOptions struct {
	// Name names its database and Temporal namespace.
	Name string
	// APIs is the number of API replicas; default 2.
	APIs int
	// Listen is the proxy's address; default a free port on loopback.
	Listen string
	// Env is added to every billgate process's environment, after the
	// topology's own: BILLGATE_MASTER_KEYS=…, BILLGATE_WEBHOOK_ALLOW=….
	// BILLGATE_TRUSTED_PROXIES must then name ProxyAddr too.
	Env []string
}

// Stack is one billgate: API replicas behind a proxy and a worker per task
// queue, on its own database and namespace.
type Stack struct {
	// URL is the proxy's: where clients call billgate.
	URL string
	// DB is the database's URL.
	DB string
	// Namespace is its Temporal namespace.
	Namespace string
	// APIs are the API replicas.
	APIs []*Process
	// Workers are the workers, one per task queue, by queue.
	Workers map[string]*Process

	proxy    *Proxy
	health   map[*Process]string // readyz URL
	dir      string
	billgate string
}

// StartStack creates the stack's database and namespace, migrates it with
// `billgate migrate`, and starts its processes, returning once every one
// of them is ready.
func (b *Backends) StartStack(ctx context.Context, so StackOptions) (*Stack, error) {
	if so.APIs == 0 {
		so.APIs = 2
	}
	dir := filepath.Join(b.opts.Dir, so.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pg := b.Postgres
	if err := pg.CreateDatabase(ctx, so.Name, appUser); err != nil {
		return nil, err
	}
	if err := b.Temporal.Prepare(ctx, so.Name); err != nil {
		return nil, err
	}
	billgate := filepath.Join(b.opts.Bin, "billgate")
	s := &Stack{DB: pg.DSN(appUser, appPassword, so.Name), Namespace: so.Name, Workers: map[string]*Process{},
		health: map[*Process]string{}, dir: dir, billgate: billgate}
	if err := run(ctx, filepath.Join(dir, "migrate.log"), nil, []string{"BILLGATE_DB=" + s.DB}, billgate, "migrate"); err != nil {
		return nil, err
	}
	proxy, err := newProxy(cmp.Or(so.Listen, "127.0.0.1:0"))
	if err != nil {
		return nil, err
	}
	s.proxy, s.URL = proxy, proxy.URL()
	env := append([]string{
		"BILLGATE_DB=" + s.DB,
		"BILLGATE_TEMPORAL=" + b.Temporal.Addr,
		"BILLGATE_NAMESPACE=" + so.Name,
		"BILLGATE_LOG_LEVEL=info",
		"BILLGATE_JWT_KEYS=" + JWTKeys,
		"BILLGATE_MASTER_KEYS=" + MasterKeys,
		"BILLGATE_SANDBOX_SECRET=" + SandboxSecret,
		"BILLGATE_PUBLIC_URL=" + s.URL,
		"BILLGATE_TRUSTED_PROXIES=" + ProxyAddr,
	}, so.Env...)
	ports, err := freePorts(2 * (so.APIs + len(config.Queues)))
	if err != nil {
		return nil, err
	}
	start := func(name, command string, extra ...string) (*Process, error) {
		listen, metrics := ports[0], ports[1]
		ports = ports[2:]
		p := newProcess(dir, name, billgate, []string{command}, append(append(env,
			"BILLGATE_HTTP=127.0.0.1:"+strconv.Itoa(listen),
			"BILLGATE_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(metrics)), extra...))
		s.health[p] = fmt.Sprintf("http://127.0.0.1:%d/readyz", listen)
		return p, p.Start()
	}
	for i := range so.APIs {
		p, err := start("api-"+strconv.Itoa(i+1), "api")
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.APIs = append(s.APIs, p)
		proxy.backends = append(proxy.backends, &url.URL{Scheme: "http", Host: strings.TrimSuffix(strings.TrimPrefix(s.health[p], "http://"), "/readyz")})
	}
	for _, queue := range config.Queues {
		p, err := start("worker-"+queue, "worker", "BILLGATE_QUEUES="+queue)
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.Workers[queue] = p
	}
	for p := range s.health {
		if err := s.WaitReady(ctx, p); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// WaitReady waits until the process's /readyz answers 200: after a
// restart, until it is serving again.
func (s *Stack) WaitReady(ctx context.Context, p *Process) error {
	url := s.health[p]
	return waitUntil(ctx, p, 2*time.Minute, func(ctx context.Context) error { return ready(ctx, url) })
}

// ready is nil when url answers 200.
func ready(ctx context.Context, url string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d", url, resp.StatusCode)
	}
	return nil
}

// ImportClients creates accounts with `billgate admin import-clients`,
// from lines of JSON (docs/import-clients.md).
func (s *Stack) ImportClients(ctx context.Context, lines ...string) error {
	file := filepath.Join(s.dir, "import-clients.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(file)
	return run(ctx, filepath.Join(s.dir, "admin.log"), nil, []string{"BILLGATE_DB=" + s.DB}, s.billgate, "admin", "import-clients", file)
}

// Processes are the stack's billgate processes.
func (s *Stack) Processes() []*Process {
	ps := append([]*Process(nil), s.APIs...)
	for _, q := range config.Queues {
		if w := s.Workers[q]; w != nil {
			ps = append(ps, w)
		}
	}
	return ps
}

// Stop stops the proxy and every billgate process, gracefully.
func (s *Stack) Stop() {
	if s.proxy != nil {
		_ = s.proxy.Close()
	}
	for _, p := range s.Processes() {
		p.Stop(10 * time.Second)
	}
}

// StartDev runs `billgate dev`, the embedded default (Temporal in process,
// SQLite in memory), with an admin of password admin, and returns once it
// serves, with its URL.
func StartDev(ctx context.Context, o Options, admin string) (*Process, string, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, "", err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	p := newProcess(o.Dir, "dev", filepath.Join(o.Bin, "billgate"), []string{"dev",
		"--http", fmt.Sprintf("127.0.0.1:%d", ports[0]), "--temporal-port", strconv.Itoa(ports[1]), "--ui-port", strconv.Itoa(ports[2])},
		[]string{"BILLGATE_ADMIN_LOGIN=admin", "BILLGATE_ADMIN_PASSWORD=" + admin, "BILLGATE_LOG_LEVEL=warn"})
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, "", err
	}
	if err := p.Start(); err != nil {
		return nil, "", err
	}
	if err := waitUntil(ctx, p, 2*time.Minute, func(ctx context.Context) error { return ready(ctx, url+"/readyz") }); err != nil {
		p.Stop(10 * time.Second)
		return nil, "", err
	}
	return p, url, nil
}
