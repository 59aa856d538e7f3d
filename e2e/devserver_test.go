package e2e

// The embedded Temporal server's own tests (internal/devserver) live here:
// e2e is the one test binary that links the server (docs/testing.md).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/internal/devserver"
	"github.com/billgate/billgate/internal/testcerts"
)

func TestDevserverStartServesTemporalAndUI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	want := map[string]enumspb.IndexedValueType{
		"BillgateTenantId":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"BillgateNextBillingAt": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
	s, err := devserver.Start(ctx, devserver.Options{Namespace: "billing", SearchAttributes: want})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()

	c, err := client.DialContext(ctx, client.Options{HostPort: s.FrontendAddr(), Namespace: s.Namespace()})
	if err != nil {
		t.Fatalf("dial %s: %v", s.FrontendAddr(), err)
	}
	defer c.Close()
	got, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "billing"})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range want {
		if got.GetCustomAttributes()[name] != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got.GetCustomAttributes()[name], typ)
		}
	}

	resp, err := http.Get(s.UIURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<html") {
		t.Errorf("GET %s/ = %d, want the UI page", s.UIURL(), resp.StatusCode)
	}
}

func TestDevserverStartRefusesTakenPort(t *testing.T) {
	t.Parallel()
	port := takenPort(t)
	for _, opts := range []devserver.Options{{FrontendPort: port, UIPort: -1}, {UIPort: port}} {
		s, err := devserver.Start(context.Background(), opts)
		if err == nil {
			s.Stop()
			t.Fatalf("Start(%+v) on a taken port succeeded", opts)
		}
		if !strings.Contains(err.Error(), "port "+strconv.Itoa(port)+": port is not available") {
			t.Errorf("Start(%+v) = %v, want it to name port %d", opts, err, port)
		}
	}
}

// A port picked free can be taken before the server binds it (by another
// test's connection, say); Start then tries again with fresh ports.
func TestDevserverStartRetriesPortTakenAfterPicking(t *testing.T) {
	t.Parallel()
	taken := takenPort(t)

	for _, nth := range []int{1, 4} {
		calls := 0
		pick := func(ip string) (int, error) {
			if calls++; calls == nth {
				return taken, nil
			}
			return kernelPort(ip)
		}
		s, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, PickPort: pick})
		if err != nil {
			t.Fatalf("Start with port %d taken at pick %d: %v", taken, nth, err)
		}
		s.Stop()
		if calls <= nth {
			t.Errorf("pick %d: Start picked %d ports, so the taken one was never handed out", nth, calls)
		}
	}
}

// kernelPort is a port the kernel finds free, as devserver picks by default.
func kernelPort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// takenPort listens on a port until the test ends.
func takenPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// With TLS and a client CA the frontend admits only clients whose
// certificate that CA signed, and a worker so admitted runs workflows.
func TestDevserverStartWithMutualTLS(t *testing.T) {
	t.Parallel()
	pki, other := testcerts.New(t), testcerts.New(t)
	s, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, TLS: &devserver.TLS{CertPEM: pki.ServerCertPEM, KeyPEM: pki.ServerKeyPEM, ClientCAPEM: pki.CAPEM}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()

	runsWorkflow(t, s, client.ConnectionOptions{TLS: clientTLS(t, pki.CAPEM, pki.ClientCertPEM, pki.ClientKeyPEM)}, nil)
	for name, conn := range map[string]*tls.Config{
		"no client certificate":             clientTLS(t, pki.CAPEM, nil, nil),
		"a certificate another CA signed":   clientTLS(t, pki.CAPEM, other.ClientCertPEM, other.ClientKeyPEM),
		"a CA that did not sign the server": clientTLS(t, other.CAPEM, pki.ClientCertPEM, pki.ClientKeyPEM),
	} {
		if err := dialAndDescribe(s, client.ConnectionOptions{TLS: conn}, nil); err == nil {
			t.Errorf("a client with %s was let in", name)
		}
	}
	if err := dialAndDescribe(s, client.ConnectionOptions{}, nil); err == nil {
		t.Error("a plain-text client was let in")
	}
}

// With an API key the frontend admits only calls that bear it.
func TestDevserverStartWithAPIKey(t *testing.T) {
	t.Parallel()
	pki := testcerts.New(t)
	const key = "the-right-key"
	s, err := devserver.Start(context.Background(), devserver.Options{UIPort: -1, APIKey: key, TLS: &devserver.TLS{CertPEM: pki.ServerCertPEM, KeyPEM: pki.ServerKeyPEM}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()

	conn := client.ConnectionOptions{TLS: clientTLS(t, pki.CAPEM, nil, nil)}
	runsWorkflow(t, s, conn, client.NewAPIKeyStaticCredentials(key))
	for name, creds := range map[string]client.Credentials{"no key": nil, "a wrong key": client.NewAPIKeyStaticCredentials("the-wrong-key")} {
		var denied *serviceerror.PermissionDenied
		if err := dialAndDescribe(s, conn, creds); !errors.As(err, &denied) {
			t.Errorf("a client with %s = %v, want PermissionDenied", name, err)
		}
	}
}

func TestDevserverStartRefusesUIWhenSecured(t *testing.T) {
	t.Parallel()
	pki := testcerts.New(t)
	s, err := devserver.Start(context.Background(), devserver.Options{APIKey: "k", TLS: &devserver.TLS{CertPEM: pki.ServerCertPEM, KeyPEM: pki.ServerKeyPEM}})
	if err == nil {
		s.Stop()
		t.Fatal("Start served the UI in front of an API-key frontend")
	}
}

// runsWorkflow dials with the given connection and credentials, and runs a
// workflow through a worker that connects the same way.
func runsWorkflow(t *testing.T, s *devserver.Server, conn client.ConnectionOptions, creds client.Credentials) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.FrontendAddr(), Namespace: s.Namespace(), ConnectionOptions: conn, Credentials: creds, Logger: quiet})
	if err != nil {
		t.Fatalf("dial with the right credentials: %v", err)
	}
	defer c.Close()
	w := sdkworker.New(c, "devserver-secured", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(func(workflow.Context) (string, error) { return "ran", nil }, workflow.RegisterOptions{Name: "hello"})
	if err := w.Start(); err != nil {
		t.Fatalf("worker with the right credentials: %v", err)
	}
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: "devserver-secured"}, "hello")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "ran" {
		t.Fatalf("workflow = %q, %v; want ran", got, err)
	}
}

// dialAndDescribe connects and reads the namespace, as billgate does at start.
func dialAndDescribe(s *devserver.Server, conn client.ConnectionOptions, creds client.Credentials) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.FrontendAddr(), Namespace: s.Namespace(), ConnectionOptions: conn, Credentials: creds, Logger: quiet})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.Namespace()})
	return err
}

var quiet = sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))

func clientTLS(t *testing.T, caPEM, certPEM, keyPEM []byte) *tls.Config {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	conf := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if certPEM != nil {
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf
}
