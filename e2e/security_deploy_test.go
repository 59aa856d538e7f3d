package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/internal/devserver"
	"github.com/billgate/billgate/internal/testcerts"
)

// Finding 3: a production Temporal authenticates billgate. Against a
// frontend that requires client certificates, `billgate worker` and
// `billgate api` with the right certificate connect and the worker polls
// every queue; without one, with one another CA signed, or trusting
// another CA, they exit at start.
func TestFinding3TemporalRequiresClientCertificate(t *testing.T) {
	t.Parallel()
	pki, other := testcerts.New(t), testcerts.New(t)
	db, temporal := sharedBackendsWith(t, devserver.Options{TLS: &devserver.TLS{CertPEM: pki.ServerCertPEM, KeyPEM: pki.ServerKeyPEM, ClientCAPEM: pki.CAPEM}})
	common := []string{"--db", db, "--temporal", temporal.FrontendAddr(), "--namespace", temporal.Namespace(), "--metrics-addr", ""}

	right := []string{"--temporal-tls-ca", pki.CA, "--temporal-tls-cert", pki.ClientCert, "--temporal-tls-key", pki.ClientKey}
	apiAndWorkerRun(t, append(common, right...), nil)

	for name, creds := range map[string][]string{
		"in plain text":                        nil,
		"without a client certificate":         {"--temporal-tls-ca", pki.CA},
		"with a certificate another CA signed": {"--temporal-tls-ca", pki.CA, "--temporal-tls-cert", other.ClientCert, "--temporal-tls-key", other.ClientKey},
		"trusting another CA":                  {"--temporal-tls-ca", other.CA, "--temporal-tls-cert", pki.ClientCert, "--temporal-tls-key", pki.ClientKey},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			exitsRefused(t, nil, append(common, creds...), "billgate: temporal: cannot reach "+temporal.FrontendAddr())
		})
	}
}

// Finding 3, with an API key: a frontend that admits only its key lets
// billgate in with BILLGATE_TEMPORAL_API_KEY, over TLS, and refuses it
// without the key or with another.
func TestFinding3TemporalRequiresAPIKey(t *testing.T) {
	t.Parallel()
	pki := testcerts.New(t)
	const key = "e2e-temporal-api-key"
	db, temporal := sharedBackendsWith(t, devserver.Options{APIKey: key, TLS: &devserver.TLS{CertPEM: pki.ServerCertPEM, KeyPEM: pki.ServerKeyPEM}})
	common := []string{"--db", db, "--temporal", temporal.FrontendAddr(), "--namespace", temporal.Namespace(), "--metrics-addr", "", "--temporal-tls-ca", pki.CA}

	apiAndWorkerRun(t, common, []string{"BILLGATE_TEMPORAL_API_KEY=" + key})

	for name, env := range map[string][]string{
		"without a key":    nil,
		"with a wrong key": {"BILLGATE_TEMPORAL_API_KEY=not-" + key},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			exitsRefused(t, env, common, "billgate: temporal: "+temporal.FrontendAddr()+" refused namespace "+temporal.Namespace())
		})
	}
}

// Finding 11: `billgate api` and `billgate worker` serve /metrics on
// --metrics-addr alone; their --http answers 404 there.
func TestFinding11MetricsNotOnAPIPort(t *testing.T) {
	t.Parallel()
	db, temporal := sharedBackends(t)
	common := []string{"--db", db, "--temporal", temporal.FrontendAddr(), "--namespace", temporal.Namespace()}
	addr := func() string { return fmt.Sprintf("127.0.0.1:%d", freePort(t)) }
	apiHTTP, apiMetrics, workerHTTP, workerMetrics := addr(), addr(), addr(), addr()
	worker := start(t, append([]string{"worker", "--http", workerHTTP, "--metrics-addr", workerMetrics}, common...)...)
	api := start(t, append([]string{"api", "--http", apiHTTP, "--metrics-addr", apiMetrics}, common...)...)
	worker.waitReady(t, "http://"+workerHTTP)
	api.waitReady(t, "http://"+apiHTTP)

	for _, port := range []string{apiHTTP, workerHTTP} {
		if status, _ := getText(t, "http://"+port+"/metrics"); status != http.StatusNotFound {
			t.Errorf("GET /metrics on --http %s = %d, want 404", port, status)
		}
	}
	for _, port := range []string{apiMetrics, workerMetrics} {
		status, body := getText(t, "http://"+port+"/metrics")
		if want := `billgate_http_requests_total{method="GET",route="/readyz",status="200"}`; status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET /metrics on --metrics-addr %s = %d, want 200 with %s", port, status, want)
		}
	}
}

// apiAndWorkerRun starts a worker and an API with args and env, and waits
// until the API is ready: the worker then polls every task queue.
func apiAndWorkerRun(t *testing.T, args, env []string) {
	t.Helper()
	apiHTTP, workerHTTP := fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t))
	worker := startWith(t, env, append([]string{"worker", "--http", workerHTTP}, args...)...)
	api := startWith(t, env, append([]string{"api", "--http", apiHTTP}, args...)...)
	worker.waitReady(t, "http://"+workerHTTP)
	api.waitReady(t, "http://"+apiHTTP) // every queue has a poller
	api.stop(t, syscall.SIGTERM)
	worker.stop(t, syscall.SIGTERM)
}

// waitReady waits until base/readyz answers 200, and fails at once with
// the process's stderr if it exits first.
func (p *process) waitReady(t *testing.T, base string) {
	t.Helper()
	c := apitest.Client(t)
	waitFor(t, base+"/readyz to answer 200", func() bool {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("billgate exited (%v) before %s/readyz answered 200; stderr:\n%s", err, base, p.stderr.String())
		default:
		}
		resp, err := c.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// exitsRefused runs `billgate worker` and `billgate api` with args and env,
// and checks each exits 1 at start with one line on stderr that contains
// want.
func exitsRefused(t *testing.T, env, args []string, want string) {
	t.Helper()
	for _, command := range []string{"worker", "api"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, binary, append([]string{command, "--http", fmt.Sprintf("127.0.0.1:%d", freePort(t))}, args...)...)
		cmd.Env = append(cmd.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
			t.Errorf("billgate %s exited %d, want 1; stderr:\n%s", command, code, stderr.String())
			continue
		}
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
			t.Errorf("billgate %s: stderr = %q, want one line starting %q", command, stderr.String(), want)
		}
	}
}

// getText GETs url without the spec's validation: these answers are not
// the API's.
func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Issue 10, hole 13: `billgate api` and `billgate worker` refuse to start
// without BILLGATE_MASTER_KEYS; a key of their own would seal payloads the
// other process, or the next run, could not open.
func TestMasterKeysRequired(t *testing.T) {
	t.Parallel()
	exitsRefused(t, []string{"BILLGATE_MASTER_KEYS="}, []string{"--db", "sqlite:" + t.TempDir() + "/billgate.db"}, "billgate: BILLGATE_MASTER_KEYS is required")
}
