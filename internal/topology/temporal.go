package topology

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/billgate/billgate/internal/temporalns"
	"github.com/billgate/billgate/workflows/contract"
)

// temporalUser owns Temporal's two databases, as in docker-compose.yml.
const temporalUser, temporalPassword = "temporal", "temporal"

// Temporal is the official Temporal server, temporal-server built from
// go.temporal.io/server's cmd/server, configured by its embedded template
// and the environment docker-compose.yml gives the temporalio/server
// image: persistence and visibility on the topology's Postgres.
type Temporal struct {
	*Process
	// Addr is the frontend's gRPC host:port.
	Addr string
}

// startTemporal creates Temporal's schemas with temporal-sql-tool, as the
// compose file's temporal-schema does, and starts the server.
func startTemporal(ctx context.Context, o Options, pg *Postgres) (*Temporal, error) {
	if err := pg.CreateRole(ctx, temporalUser, temporalPassword, true); err != nil {
		return nil, err
	}
	tool := filepath.Join(o.Bin, "temporal-sql-tool")
	for db, schema := range map[string]string{"temporal": "postgresql/v12/temporal", "temporal_visibility": "postgresql/v12/visibility"} {
		common := []string{"--plugin", "postgres12", "--endpoint", "127.0.0.1", "--port", strconv.Itoa(pg.Port),
			"--user", temporalUser, "--password", temporalPassword, "--database", db}
		for _, step := range [][]string{{"create-database"}, {"setup-schema", "--version", "0.0"}, {"update-schema", "--schema-name", schema}} {
			if err := run(ctx, filepath.Join(o.Dir, "temporal-schema.log"), nil, nil, tool, append(common, step...)...); err != nil {
				return nil, err
			}
		}
	}
	ports, err := freePorts(10)
	if err != nil {
		return nil, err
	}
	env := []string{
		"DB=postgres12", "DB_PORT=" + strconv.Itoa(pg.Port), "POSTGRES_SEEDS=127.0.0.1",
		"POSTGRES_USER=" + temporalUser, "POSTGRES_PWD=" + temporalPassword,
		"BIND_ON_IP=127.0.0.1",
		"DYNAMIC_CONFIG_FILE_PATH=" + filepath.Join(o.Root, "deploy", "temporal", "dynamicconfig", "development-sql.yaml"),
		"LOG_LEVEL=warn",
	}
	for i, name := range []string{"FRONTEND_GRPC_PORT", "FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT",
		"HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT", "MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT",
		"WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT", "INTERNAL_FRONTEND_HTTP_PORT"} {
		env = append(env, name+"="+strconv.Itoa(ports[i]))
	}
	t := &Temporal{
		Process: newProcess(o.Dir, "temporal", filepath.Join(o.Bin, "temporal-server"), []string{"start"}, env),
		Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
	}
	if err := t.Start(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// Start starts the server and waits until its frontend serves.
func (t *Temporal) Start(ctx context.Context) error {
	if err := t.Process.Start(); err != nil {
		return err
	}
	return waitUntil(ctx, t.Process, 2*time.Minute, func(ctx context.Context) error {
		c, err := t.dial(ctx, "temporal-system")
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "temporal-system"})
		return err
	})
}

// Prepare registers namespace with billgate's search attributes, as the
// compose file's temporal-register does, and waits until it serves.
func (t *Temporal) Prepare(ctx context.Context, namespace string) error {
	c, err := t.dial(ctx, namespace)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := temporalns.Register(ctx, c, namespace, 72*time.Hour); err != nil {
		return err
	}
	// A new namespace reaches every service's cache within seconds.
	return waitUntil(ctx, t.Process, time.Minute, func(ctx context.Context) error {
		if err := temporalns.AddSearchAttributes(ctx, c, namespace, contract.SearchAttributes()); err != nil {
			return err
		}
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace})
		return err
	})
}

func (t *Temporal) dial(ctx context.Context, namespace string) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{HostPort: t.Addr, Namespace: namespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return nil, fmt.Errorf("temporal: dial %s: %w", t.Addr, err)
	}
	return c, nil
}
