package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/converter"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/internal/apitest"
)

func serve(t *testing.T, d api.Deps) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(api.NewServer(d))
	t.Cleanup(srv.Close)
	return srv, apitest.Client(t)
}

func get(t *testing.T, c *http.Client, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

type envelope struct {
	Result map[string]any `json:"result"`
	Meta   map[string]any `json:"meta"`
	Errors []api.Error    `json:"errors"`
}

func decode(t *testing.T, body []byte) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	return e
}

func TestHealthz(t *testing.T) {
	srv, c := serve(t, api.Deps{})
	resp, body := get(t, c, srv.URL+"/healthz")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %d, want 200", resp.StatusCode)
	}
	if got := decode(t, body).Result["status"]; got != "ok" {
		t.Errorf("status = %v, want ok", got)
	}
}

func TestRequestID(t *testing.T) {
	srv, c := serve(t, api.Deps{})
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name, sent string
		want       func(string) bool
	}{
		{"none sent", "", generated.MatchString},
		{"caller's kept", "req-42.a:b", func(s string) bool { return s == "req-42.a:b" }},
		{"unsafe replaced", "<script>alert(1)</script>", generated.MatchString},
		{"too long replaced", strings.Repeat("a", 129), generated.MatchString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
			if tt.sent != "" {
				req.Header["X-Request-Id"] = []string{tt.sent}
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := resp.Header.Get("X-Request-Id")
			if !tt.want(got) {
				t.Errorf("X-Request-Id = %q for sent %q", got, tt.sent)
			}
			if meta := decode(t, body).Meta["requestId"]; meta != got {
				t.Errorf("meta.requestId = %v, want %q", meta, got)
			}
		})
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	tests := []struct {
		name       string
		checks     []api.Check
		query      string
		wantStatus int
		wantFailed []string
	}{
		{"all up", []api.Check{{Name: "db", Probe: ok}, {Name: "temporal", Probe: ok}, {Name: "workers", Probe: ok}}, "", 200, nil},
		{"db down", []api.Check{{Name: "db", Probe: down}, {Name: "temporal", Probe: ok}}, "", 503, []string{"db"}},
		{"two down", []api.Check{{Name: "db", Probe: down}, {Name: "temporal", Probe: ok}, {Name: "workers", Probe: down}}, "", 503, []string{"db", "workers"}},
		{"down but excluded", []api.Check{{Name: "db", Probe: ok}, {Name: "workers", Probe: down}}, "?exclude=workers", 200, nil},
		{"exclude is exact", []api.Check{{Name: "db", Probe: down}, {Name: "workers", Probe: ok}}, "?exclude=dbx,workers", 503, []string{"db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := serve(t, api.Deps{Checks: tt.checks})
			resp, body := get(t, c, srv.URL+"/readyz"+tt.query)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("GET /readyz = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			e := decode(t, body)
			var failed []string
			for _, err := range e.Errors {
				if err.Code != "UNAVAILABLE" || !strings.HasPrefix(err.Message, err.Field+": ") {
					t.Errorf("error %+v, want code UNAVAILABLE and a message naming %q", err, err.Field)
				}
				failed = append(failed, err.Field)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failed checks = %v, want %v", failed, tt.wantFailed)
			}
		})
	}
}

// Reports are told beside the checks and never make a process unready:
// one that cannot be read is left out.
func TestReadyzTellsReports(t *testing.T) {
	ok := func(context.Context) error { return nil }
	gateways := api.Report{Name: "gateways", Read: func(context.Context) (any, error) {
		return map[string]map[string]int{"stripe": {"answering": 2, "failing": 1}}, nil
	}}
	broken := api.Report{Name: "broken", Read: func(context.Context) (any, error) { return nil, errors.New("no") }}
	srv, c := serve(t, api.Deps{Checks: []api.Check{{Name: "db", Probe: ok}}, Reports: []api.Report{gateways, broken}})
	resp, body := get(t, c, srv.URL+"/readyz")
	want := `"result":{"checks":{"db":"ok"},"reports":{"gateways":{"stripe":{"answering":2,"failing":1}}},"status":"ready"}`
	if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Errorf("GET /readyz = %d %s\nwant 200 with %s", resp.StatusCode, body, want)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	srv, c := serve(t, api.Deps{})
	get(t, c, srv.URL+"/healthz")
	get(t, c, srv.URL+"/no/such/route")
	_, body := get(t, c, srv.URL+"/metrics")
	for _, want := range []string{
		`billgate_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`billgate_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`billgate_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"} 1`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// With metrics apart, the API's handlers answer 404 at /metrics and the
// metrics handler serves them, counting the API's requests.
func TestMetricsApart(t *testing.T) {
	m := api.NewMetrics()
	for name, h := range map[string]http.Handler{
		"api": api.NewServer(api.Deps{Metrics: m, MetricsApart: true}),
		"ops": api.NewOpsServer(api.Deps{Metrics: m, MetricsApart: true}),
	} {
		srv := httptest.NewServer(h)
		resp, _ := get(t, http.DefaultClient, srv.URL+"/metrics")
		srv.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics on the %s handler = %d, want 404", name, resp.StatusCode)
		}
	}
	metrics := httptest.NewServer(api.MetricsHandler(m))
	defer metrics.Close()
	resp, body := get(t, http.DefaultClient, metrics.URL+"/metrics")
	if want := `route="unmatched",status="404"} 2`; resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		t.Errorf("GET /metrics on the metrics handler = %d, want 200 with %q:\n%s", resp.StatusCode, want, body)
	}
	if resp, _ := get(t, http.DefaultClient, metrics.URL+"/healthz"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /healthz on the metrics handler = %d, want 404: it serves /metrics alone", resp.StatusCode)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	srv, c := serve(t, api.Deps{})
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/nope", 404, "NOT_FOUND"},
		{http.MethodGet, "/healthz/", 404, "NOT_FOUND"},
		{http.MethodPost, "/healthz", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e := decode(t, body)
		if resp.StatusCode != tt.status || len(e.Errors) != 1 || e.Errors[0].Code != tt.code {
			t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.code)
		}
	}
}

func TestSpecAndDocs(t *testing.T) {
	srv, c := serve(t, api.Deps{})
	resp, body := get(t, c, srv.URL+"/openapi.yaml")
	if resp.StatusCode != 200 || string(body) != string(api.Spec) {
		t.Errorf("GET /openapi.yaml = %d, want 200 with the embedded spec", resp.StatusCode)
	}
	resp, _ = get(t, c, srv.URL+"/docs")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/docs/index.html" {
		t.Errorf("GET /docs = %d Location %q, want 302 to /docs/index.html", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get(t, c, srv.URL+"/docs/index.html")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "swagger-ui") {
		t.Errorf("GET /docs/index.html = %d, want 200 with Swagger UI", resp.StatusCode)
	}
	resp, body = get(t, c, srv.URL+"/docs/swagger-ui-bundle.js")
	if resp.StatusCode != 200 || len(body) < 1000 {
		t.Errorf("GET /docs/swagger-ui-bundle.js = %d (%d bytes), want 200 with the embedded asset", resp.StatusCode, len(body))
	}
	resp, body = get(t, c, srv.URL+"/docs/doc.json")
	if strings.Contains(string(body), "swagger") && resp.StatusCode == 200 {
		t.Errorf("GET /docs/doc.json served a generated swag document; the spec lives at /openapi.yaml")
	}
}

// routesOnly lets the whole surface be registered for listing; its
// methods are never called.
type (
	routesOnly        struct{ api.RequestAuthenticator }
	sandboxRoutesOnly struct{ api.SandboxGateway }
	ledgerRoutesOnly  struct{ api.SandboxLedger }
	codecRoutesOnly   struct{ converter.PayloadCodec }
	webhooksOnly      struct{ api.ConnectedWebhooks }
)

// TestEveryRouteIsInTheSpec keeps routes.go and openapi.yaml in step: a
// route missing from the spec, or a spec path with no route, fails.
func TestEveryRouteIsInTheSpec(t *testing.T) {
	spec := apitest.Spec(t)
	inSpec := map[string]bool{}
	for path, item := range spec.Paths.Map() {
		for method := range item.Operations() {
			inSpec[method+" "+path] = true
		}
	}
	engine := api.NewServer(api.Deps{Authn: routesOnly{}, Sandbox: sandboxRoutesOnly{}, SandboxLedger: ledgerRoutesOnly{}, PayloadCodec: codecRoutesOnly{},
		ConnectedWebhooks: webhooksOnly{}, Streams: eventstream.NewHub(nil, nil, nil)}).(*gin.Engine)
	registered := map[string]bool{}
	param := regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)
	for _, r := range engine.Routes() {
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	for route := range registered {
		if !inSpec[route] {
			t.Errorf("route %s is registered but missing from api/openapi.yaml", route)
		}
	}
	for route := range inSpec {
		if !registered[route] {
			t.Errorf("api/openapi.yaml describes %s but no such route is registered", route)
		}
	}
}
