package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
)

// blockingLogins holds every login until its request's context ends, as a
// slow database would, and returns what the store returns then.
type blockingLogins struct {
	api.Logins
	started chan struct{}
}

func (l blockingLogins) Login(ctx context.Context, _ auth.Credentials, _ auth.Origin) (*auth.LoginResult, error) {
	close(l.started)
	<-ctx.Done()
	return nil, fmt.Errorf("read the account: %w", ctx.Err())
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A client that hangs up mid-request is not the server's fault: the
// request is logged at INFO as 499, nginx's client-closed status, and
// counted so in /metrics, never as an ERROR 500 that would page an
// operator (issue 15).
func TestClientClosedRequestIs499(t *testing.T) {
	var log syncBuffer
	logger := slog.New(slog.NewJSONHandler(&log, nil))
	store, hasher := identityStore(t)
	id := auth.NewIdentity(auth.NewPersister(store), hasher, auth.DefaultConfig(), time.Now, logger)
	logins := blockingLogins{started: make(chan struct{})}
	srv, c := serve(t, api.Deps{Authn: id.Requests, Logins: logins, Sessions: id.Sessions, Logger: logger, Metrics: api.NewMetrics()})

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-logins.started
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/auth/session", strings.NewReader(`{"login":"bob","password":"a long enough password"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the request was answered %d after its client went away", resp.StatusCode)
	}

	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), `"msg":"request"`) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	lines := log.String()
	if !strings.Contains(lines, `"level":"INFO","msg":"request"`) || !strings.Contains(lines, `"status":499`) || strings.Contains(lines, `"level":"ERROR"`) {
		t.Errorf("the log reads %s; want the request at INFO with status 499, and no ERROR", lines)
	}
	_, metrics := get(t, c, srv.URL+"/metrics")
	if want := `billgate_http_requests_total{method="POST",route="/auth/session",status="499"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
