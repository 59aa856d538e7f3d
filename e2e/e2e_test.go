// Package e2e drives billgate end to end: the in-process harness
// (internal/testenv) and the real binary, over HTTP as a client would.
//
// It is the one test binary that links the Temporal server, so the embedded
// server's own tests (internal/devserver) live here too. Every test starts
// its own billgate and Temporal and runs in parallel with the others: they
// spend most of their time waiting on workflows and timers (docs/testing.md).
package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOpsEndpoints(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	resp := waitReady(t, env)
	var ready struct {
		Result struct {
			Checks map[string]string `json:"checks"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(body(t, resp)), &ready); err != nil {
		t.Fatal(err)
	}
	for _, check := range []string{"db", "temporal", "workers"} {
		if ready.Result.Checks[check] != "ok" {
			t.Errorf("readyz check %s = %q, want ok", check, ready.Result.Checks[check])
		}
	}
	for path, want := range map[string]string{
		"/healthz":         `"status":"ok"`,
		"/metrics":         `billgate_http_requests_total{method="GET",route="/readyz",status="200"}`,
		"/openapi.yaml":    "openapi: 3.",
		"/docs/index.html": "swagger-ui",
	} {
		resp := env.Get(path)
		if got := body(t, resp); resp.StatusCode != 200 || !strings.Contains(got, want) {
			t.Errorf("GET %s = %d, want 200 containing %q", path, resp.StatusCode, want)
		}
	}
}

func TestSearchAttributesAreRegistered(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Upsert each attribute from a workflow: the server rejects unknown ones.
	w := sdkworker.New(env.Temporal, "e2e-search-attributes", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		return workflow.UpsertTypedSearchAttributes(ctx,
			contract.TenantIDKey.ValueSet("t1"),
			contract.CustomerIDKey.ValueSet("c1"),
			contract.StatusKey.ValueSet("active"),
			contract.NextBillingAtKey.ValueSet(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)),
		)
	}, workflow.RegisterOptions{Name: "upsert"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := env.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "e2e-search-attributes"}, "upsert")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("upsert search attributes: %v", err)
	}
}

// A workflow that was waiting on a durable timer when billgate stopped
// finishes after a restart on the same data directory.
func TestWorkflowSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const queue = "e2e-restart"
	sleeper := func(ctx workflow.Context) (string, error) {
		if err := workflow.Sleep(ctx, 3*time.Second); err != nil {
			return "", err
		}
		return "woke", nil
	}
	startWorker := func(c client.Client) sdkworker.Worker {
		w := sdkworker.New(c, queue, sdkworker.Options{})
		w.RegisterWorkflowWithOptions(sleeper, workflow.RegisterOptions{Name: "sleeper"})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w
	}

	first := testenv.Start(t, testenv.Options{DataDir: dir})
	w := startWorker(first.Temporal)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run, err := first.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "restart-me", TaskQueue: queue}, "sleeper")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the workflow's timer to start", func() bool {
		desc, err := first.Temporal.DescribeWorkflowExecution(ctx, "restart-me", "")
		return err == nil && desc.GetWorkflowExecutionInfo().GetHistoryLength() >= 5
	})
	w.Stop()
	first.Stop()

	second := testenv.Start(t, testenv.Options{DataDir: dir, DB: first.DB})
	defer startWorker(second.Temporal).Stop()
	var got string
	if err := second.Temporal.GetWorkflow(ctx, "restart-me", run.GetRunID()).Get(ctx, &got); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	if got != "woke" {
		t.Errorf("workflow result = %q, want woke", got)
	}
}

// When Temporal goes away, /readyz names it; when it comes back, billgate
// recovers without a restart.
func TestReadinessFollowsTemporal(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	waitReady(t, env)
	env.StopTemporal()
	resp := env.Get("/readyz")
	got := body(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(got, `"field":"temporal"`) {
		t.Fatalf("readyz with Temporal down = %d %s, want 503 naming temporal", resp.StatusCode, got)
	}
	env.StartTemporal()
	waitReady(t, env)
}

func waitReady(t *testing.T, env *testenv.Env) *http.Response {
	t.Helper()
	var resp *http.Response
	waitFor(t, "/readyz to answer 200", func() bool {
		resp = env.Get("/readyz")
		return resp.StatusCode == http.StatusOK
	})
	return resp
}

// waitFor polls cond; eventual states (workers polling, reconnects) are
// reached in seconds, and the deadline only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// When Postgres refuses connections, /readyz names the database; when it
// accepts them again, billgate recovers without a restart. SQLite cannot be
// taken away from under a process, so this runs on Postgres only (always in
// CI, where dbtest requires TEST_DATABASE_URL).
func TestReadinessFollowsDatabase(t *testing.T) {
	t.Parallel()
	dsn := dbtest.Postgres(t)
	if dsn == "" {
		t.Skip("set TEST_DATABASE_URL to run: it takes a Postgres database offline")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", os.Getenv(dbtest.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := admin.Exec(query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}

	env := testenv.Start(t, testenv.Options{DB: dsn})
	waitReady(t, env)
	exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false")
	defer exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
	waitFor(t, "/readyz to name the database", func() bool {
		resp := env.Get("/readyz")
		return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(body(t, resp), `"field":"db"`)
	})
	exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true")
	waitReady(t, env)
}
