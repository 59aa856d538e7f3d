package devserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

func TestStartServesTemporalAndUI(t *testing.T) {
	ctx := context.Background()
	want := map[string]enumspb.IndexedValueType{
		"BillgateTenantId":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"BillgateNextBillingAt": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
	s, err := Start(ctx, Options{Namespace: "billing", SearchAttributes: want})
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

func TestStartRefusesTakenPort(t *testing.T) {
	port := takenPort(t)
	for _, opts := range []Options{{FrontendPort: port, UIPort: -1}, {UIPort: port}} {
		s, err := Start(context.Background(), opts)
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
func TestStartRetriesPortTakenAfterPicking(t *testing.T) {
	taken := takenPort(t)

	pick := freePort
	defer func() { freePort = pick }()
	for _, nth := range []int{1, 4} {
		calls := 0
		freePort = func(ip string) (int, error) {
			if calls++; calls == nth {
				return taken, nil
			}
			return pick(ip)
		}
		s, err := Start(context.Background(), Options{UIPort: -1})
		if err != nil {
			t.Fatalf("Start with port %d taken at pick %d: %v", taken, nth, err)
		}
		s.Stop()
		if calls <= nth {
			t.Errorf("pick %d: Start picked %d ports, so the taken one was never handed out", nth, calls)
		}
	}
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
