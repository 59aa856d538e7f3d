package eventstream

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// memLog is an event log in memory, ordered by ID as the store orders it.
type memLog struct {
	mu     sync.Mutex
	events []models.Event
	reads  int
}

func (l *memLog) Events(_ context.Context, f models.EventFilter) ([]models.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	var out []models.Event
	for _, e := range l.events {
		if bytes.Compare(e.ID[:], f.After[:]) > 0 && len(out) < f.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// record adds an event with id, keeping the log in ID order.
func (l *memLog) record(id uuid.UUID, tenant uuid.UUID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, models.Event{ID: id, TenantID: tenant, Type: models.EventInvoicePaid})
	slices.SortFunc(l.events, func(a, b models.Event) int { return bytes.Compare(a.ID[:], b.ID[:]) })
}

func newTestHub(l *memLog) *Hub {
	return NewHub(l, func(e *models.Event) []byte { return []byte(e.ID.String()) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func receive(t *testing.T, s *Subscription) uuid.UUID {
	t.Helper()
	select {
	case item := <-s.Items():
		if string(item.Payload) != item.Event.ID.String() {
			t.Errorf("payload %s for %s", item.Payload, item.Event.ID)
		}
		return item.Event.ID
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return uuid.Nil
	}
}

func none(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case item := <-s.Items():
		t.Errorf("got %s, want nothing", item.Event.ID)
	default:
	}
}

// Events reach the subscriptions that take them, once each, in ID
// order; one that committed late (a lower ID read after a higher one) is
// delivered too, within the window.
func TestHubFansOutOnce(t *testing.T) {
	l := &memLog{}
	h := newTestHub(l)
	ctx := context.Background()
	mine, theirs := uuid.New(), uuid.New()
	all := h.Subscribe(func(*models.Event) bool { return true }, 10)
	only := h.Subscribe(func(e *models.Event) bool { return e.TenantID == mine }, 10)

	early, late, last := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	l.record(early, mine)
	l.record(last, theirs)
	h.read(ctx)
	if got := []uuid.UUID{receive(t, all), receive(t, all)}; !slices.Equal(got, []uuid.UUID{early, last}) {
		t.Errorf("all got %v", got)
	}
	if got := receive(t, only); got != early {
		t.Errorf("only got %v", got)
	}
	l.record(late, mine) // committed after last was read
	h.read(ctx)
	h.read(ctx)
	if got := receive(t, all); got != late {
		t.Errorf("the late event: %v", got)
	}
	if got := receive(t, only); got != late {
		t.Errorf("the late event, filtered: %v", got)
	}
	none(t, all)
	none(t, only)
}

// A subscriber that does not keep up is dropped, not buffered without
// bound; the others go on.
func TestHubDropsASlowSubscriber(t *testing.T) {
	l := &memLog{}
	h := newTestHub(l)
	slow := h.Subscribe(func(*models.Event) bool { return true }, 1)
	fast := h.Subscribe(func(*models.Event) bool { return true }, 10)
	for range 3 {
		l.record(uuid.Must(uuid.NewV7()), uuid.New())
	}
	h.read(context.Background())
	select {
	case <-slow.Dropped():
	default:
		t.Fatal("the slow subscriber is still subscribed")
	}
	for range 3 {
		receive(t, fast)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[slow]; ok || len(h.subs) != 1 {
		t.Errorf("subscriptions left: %d", len(h.subs))
	}
}

// With nobody subscribed the hub reads nothing; Run reads when notified.
func TestHubReadsForSubscribersOnly(t *testing.T) {
	l := &memLog{}
	h := newTestHub(l)
	h.Poll = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)
	h.read(ctx)
	if l.reads != 0 {
		t.Fatalf("read %d times with no subscriber", l.reads)
	}
	s := h.Subscribe(func(*models.Event) bool { return true }, 10)
	defer s.Close()
	id := uuid.Must(uuid.NewV7())
	l.record(id, uuid.New())
	h.Notify()
	if got := receive(t, s); got != id {
		t.Errorf("got %v", got)
	}
}

// TimeFloor is below every UUIDv7 made at or after its time, and above
// those made a millisecond before.
func TestTimeFloor(t *testing.T) {
	before := uuid.Must(uuid.NewV7())
	time.Sleep(2 * time.Millisecond)
	at := time.Now()
	after := uuid.Must(uuid.NewV7())
	floor := TimeFloor(at)
	if bytes.Compare(floor[:], before[:]) <= 0 || bytes.Compare(floor[:], after[:]) >= 0 {
		t.Errorf("floor %s of %v: not between %s and %s", floor, at, before, after)
	}
}
