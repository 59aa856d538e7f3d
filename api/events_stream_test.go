package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/billgate/billgate/api"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/models"
)

// burstLog is an event log that holds what a test records at once, in ID
// order (UUIDv7s made one after the other).
type burstLog struct {
	mu     sync.Mutex
	events []models.Event
}

func (l *burstLog) Events(_ context.Context, f models.EventFilter) ([]models.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := sort.Search(len(l.events), func(i int) bool { return bytes.Compare(l.events[i].ID[:], f.After[:]) > 0 })
	return slices.Clone(l.events[from:min(len(l.events), from+f.Limit)]), nil
}

func (l *burstLog) EventByID(context.Context, uuid.UUID) (*models.Event, error) {
	return nil, models.ErrNotFound
}

func (l *burstLog) burst(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		l.events = append(l.events, models.Event{ID: uuid.Must(uuid.NewV7()), TenantID: uuid.New(), Type: models.EventInvoicePaid,
			ObjectType: models.ObjectInvoice, Data: "null", CreatedAt: time.Now()})
	}
}

// A stream that falls behind by more than its buffer is closed with 1013,
// to resume from its last event ID, rather than held in memory.
func TestEventStreamCutsOffASlowConsumer(t *testing.T) {
	ctx := context.Background()
	id := adminIdentity(t, auth.DefaultConfig())
	log := &burstLog{}
	hub := eventstream.NewHub(log, api.LiveEventFrame, slog.New(slog.DiscardHandler))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go hub.Run(runCtx)
	srv, _ := serve(t, api.Deps{Authn: id.Requests, Logins: id.Logins, Sessions: id.Sessions, Events: log, Streams: hub, StreamBuffer: 2})

	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dialCtx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/events/stream", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin password"))}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if _, data, err := conn.Read(dialCtx); err != nil || !strings.Contains(string(data), `"type":"ready"`) {
		t.Fatalf("first frame %s, %v", data, err)
	}
	log.burst(200) // read at once, faster than any socket takes them
	hub.Notify()
	frames := 0
	for {
		_, _, err := conn.Read(dialCtx)
		var closed websocket.CloseError
		if errors.As(err, &closed) {
			if closed.Code != websocket.StatusTryAgainLater || frames >= 200 {
				t.Errorf("closed %v after %d events; want 1013 before all 200", closed, frames)
			}
			return
		}
		if err != nil {
			t.Fatalf("after %d events: %v", frames, err)
		}
		frames++
	}
}

// What is no WebSocket handshake, and a page of another origin, are
// refused in the envelope, as every other answer is.
func TestEventStreamRefusesInTheEnvelope(t *testing.T) {
	id := adminIdentity(t, auth.DefaultConfig())
	hub := eventstream.NewHub(&burstLog{}, api.LiveEventFrame, slog.New(slog.DiscardHandler))
	srv, c := serve(t, api.Deps{Authn: id.Requests, Logins: id.Logins, Sessions: id.Sessions, Events: &burstLog{}, Streams: hub})
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	with := func(name, value string) []string {
		h := slices.Clone(upgrade)
		if i := slices.Index(h, name); i >= 0 {
			h[i+1] = value
			return h
		}
		return append(h, name, value)
	}
	for _, tt := range []struct {
		name        string
		header      []string
		status      int
		code, field string
	}{
		{"no upgrade", nil, http.StatusUpgradeRequired, "UPGRADE_REQUIRED", ""},
		{"another version", with("Sec-WebSocket-Version", "8"), http.StatusBadRequest, "INVALID", "Sec-WebSocket-Version"},
		{"a short key", with("Sec-WebSocket-Key", "c2hvcnQ="), http.StatusBadRequest, "INVALID", "Sec-WebSocket-Key"},
		{"another origin", with("Origin", "https://evil.example"), http.StatusForbidden, "CROSS_ORIGIN", "Origin"},
		{"an origin that only starts alike", with("Origin", srv.URL+".evil.example"), http.StatusForbidden, "CROSS_ORIGIN", "Origin"},
	} {
		resp, body := get(t, c, srv.URL+"/v1/events/stream", tt.header...)
		errs := decode(t, body).Errors
		if resp.StatusCode != tt.status || len(errs) != 1 || errs[0].Code != tt.code || errs[0].Field != tt.field {
			t.Errorf("%s = %d %s, want %d %s on %q", tt.name, resp.StatusCode, body, tt.status, tt.code, tt.field)
		}
	}
}
