// Package eventstream feeds the live event streams of one API process. The
// Hub tails the event log, so that events recorded by any process reach
// every replica's streams, and fans each event out to the subscriptions
// whose filter takes it, through bounded buffers: a subscriber that falls
// behind is dropped, never allowed to grow memory. The Watch tells streams
// that their principal's identity changed, to check it again.
package eventstream

import (
	"context"
	"encoding/binary"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// Log is where events are read (models.EventLog).
type Log interface {
	Events(ctx context.Context, f models.EventFilter) ([]models.Event, error)
}

// Item is one event, with its payload as the hub's render made it once
// for every subscription.
type Item struct {
	Event   *models.Event
	Payload []byte
}

// Hub tails the log and fans events out.
type Hub struct {
	log    Log
	render func(*models.Event) []byte
	// Poll is how often it looks without being told of new events.
	Poll time.Duration
	// Window is how far back each look reads again: an event whose
	// transaction committed after a later one's was read is still found,
	// if it committed within Window. Events are delivered once each.
	Window time.Duration
	now    func() time.Time
	logger *slog.Logger

	notify chan struct{}

	mu   sync.Mutex
	subs map[*Subscription]struct{}
	// seen are the IDs fanned out lately, with when they were.
	seen map[uuid.UUID]time.Time
}

// NewHub is a hub reading log, rendering each event once with render.
func NewHub(log Log, render func(*models.Event) []byte, logger *slog.Logger) *Hub {
	return &Hub{log: log, render: render, Poll: time.Second, Window: 5 * time.Second, now: time.Now, logger: logger,
		notify: make(chan struct{}, 1), subs: map[*Subscription]struct{}{}, seen: map[uuid.UUID]time.Time{}}
}

// Subscription is one stream's share of the hub.
type Subscription struct {
	hub   *Hub
	match func(*models.Event) bool
	items chan Item
	// dropped is closed when the hub drops the subscription for a full
	// buffer.
	dropped chan struct{}
}

// Items are the events the subscription takes, in the order the hub read
// them.
func (s *Subscription) Items() <-chan Item { return s.items }

// Dropped is closed when the subscriber fell behind by more than its
// buffer and the hub let it go.
func (s *Subscription) Dropped() <-chan struct{} { return s.dropped }

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs, s)
}

// Subscribe takes the events match accepts from now on, through a buffer
// of buffer items.
func (h *Hub) Subscribe(match func(*models.Event) bool, buffer int) *Subscription {
	s := &Subscription{hub: h, match: match, items: make(chan Item, buffer), dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	return s
}

// Notify tells the hub there may be new events. It never blocks.
func (h *Hub) Notify() {
	select {
	case h.notify <- struct{}{}:
	default:
	}
}

// Run tails the log until ctx is done.
func (h *Hub) Run(ctx context.Context) {
	tick := time.NewTicker(h.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.notify:
		case <-tick.C:
		}
		h.read(ctx)
	}
}

// page is how many events one read takes.
const page = 500

// read fans out the events of the last Window not fanned out yet: those
// recorded since the last read, and those that committed late. A stream
// that joins replays what came before it from the log itself.
func (h *Hub) read(ctx context.Context) {
	h.mu.Lock()
	listening := len(h.subs) > 0
	h.mu.Unlock()
	if !listening {
		return
	}
	now := h.now()
	after := TimeFloor(now.Add(-h.Window))
	for ctx.Err() == nil {
		events, err := h.log.Events(ctx, models.EventFilter{After: after, Limit: page})
		if err != nil {
			h.logger.WarnContext(ctx, "live events not read; trying again", slog.Any("error", err))
			return
		}
		h.fanOut(events, now)
		if len(events) < page {
			return
		}
		after = events[len(events)-1].ID
	}
}

func (h *Hub) fanOut(events []models.Event, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range events {
		e := &events[i]
		if _, ok := h.seen[e.ID]; ok {
			continue
		}
		h.seen[e.ID] = now
		var item *Item
		for s := range h.subs {
			if !s.match(e) {
				continue
			}
			if item == nil {
				item = &Item{Event: e, Payload: h.render(e)}
			}
			select {
			case s.items <- *item:
			default:
				delete(h.subs, s)
				close(s.dropped)
			}
		}
	}
	for id, at := range h.seen {
		if now.Sub(at) > 2*h.Window {
			delete(h.seen, id)
		}
	}
}

// TimeFloor is the lowest UUIDv7 of the millisecond t falls in: every
// event recorded at or after t has a greater ID.
func TimeFloor(t time.Time) uuid.UUID {
	var id uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(max(t.UnixMilli(), 0)))
	copy(id[:6], ms[2:])
	return id
}
