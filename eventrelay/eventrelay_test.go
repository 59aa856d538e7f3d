package eventrelay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// fakeStore has waiting events, each bound for one endpoint, and
// endpoints the sweep finds.
type fakeStore struct {
	mu       sync.Mutex
	waiting  []uuid.UUID // an endpoint per event
	fail     int         // RelayEvents calls to fail first
	awaiting []uuid.UUID
	relayed  int
	payloads int
}

func (s *fakeStore) RelayEvents(_ context.Context, limit int, payload func(*models.Event) []byte, _ time.Time) (int, []uuid.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return 0, nil, errors.New("database down")
	}
	n := min(limit, len(s.waiting))
	var woken []uuid.UUID
	for _, e := range s.waiting[:n] {
		payload(&models.Event{})
		s.payloads++
		if !slices.Contains(woken, e) {
			woken = append(woken, e)
		}
	}
	s.waiting = s.waiting[n:]
	s.relayed += n
	return n, woken, nil
}

func (s *fakeStore) EndpointsAwaitingDelivery(context.Context, time.Time, time.Time, int) ([]models.WebhookEndpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []models.WebhookEndpoint
	for _, id := range s.awaiting {
		out = append(out, models.WebhookEndpoint{ID: id})
	}
	return out, nil
}

func (s *fakeStore) add(endpoint uuid.UUID, events int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range events {
		s.waiting = append(s.waiting, endpoint)
	}
}

// wakes records the wakes, and passes each on.
type wakes chan uuid.UUID

func (w wakes) Wake(_ context.Context, id uuid.UUID, now bool) error {
	if now {
		return errors.New("the relay never hurries")
	}
	w <- id
	return nil
}

func (w wakes) next(t *testing.T) uuid.UUID {
	t.Helper()
	select {
	case id := <-w:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no wake")
		return uuid.Nil
	}
}

func start(t *testing.T, store *fakeStore, poll, sweep time.Duration) (*Relay, wakes) {
	t.Helper()
	w := make(wakes, 100)
	r := New(store, func(*models.Event) []byte { return []byte("{}") }, w, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.Poll, r.Sweep = poll, sweep
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, w
}

// A notification relays every event waiting, however many batches they
// take, and wakes each endpoint that got deliveries.
func TestRelayOnNotify(t *testing.T) {
	store := &fakeStore{}
	r, w := start(t, store, time.Hour, time.Hour)
	a, b := uuid.New(), uuid.New()
	store.add(a, batch+1)
	store.add(b, 1)
	r.Notify()
	var got []uuid.UUID
	for !slices.Contains(got, a) || !slices.Contains(got, b) {
		got = append(got, w.next(t)) // once per batch that gave it deliveries
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.relayed != batch+2 || len(store.waiting) != 0 {
		t.Errorf("relayed %d, left %d", store.relayed, len(store.waiting))
	}
}

// A store that fails leaves the events waiting; the next look relays
// them.
func TestRelayRetriesOnItsPoll(t *testing.T) {
	store := &fakeStore{fail: 2}
	a := uuid.New()
	store.add(a, 3)
	_, w := start(t, store, 10*time.Millisecond, time.Hour)
	if got := w.next(t); got != a {
		t.Errorf("woken %v, want %v", got, a)
	}
}

// The sweep wakes endpoints whose deliveries nobody sends.
func TestRelaySweeps(t *testing.T) {
	forgotten := uuid.New()
	store := &fakeStore{awaiting: []uuid.UUID{forgotten}}
	_, w := start(t, store, time.Hour, 10*time.Millisecond)
	if got := w.next(t); got != forgotten {
		t.Errorf("woken %v, want %v", got, forgotten)
	}
}
