package eventstream

import (
	"sync"

	"github.com/google/uuid"
)

// Watch tells streams that their client's identity changed (its account,
// roles, sessions or keys), so that they check their credentials again.
type Watch struct {
	mu       sync.Mutex
	byClient map[uuid.UUID]map[chan struct{}]struct{}
}

// NewWatch is an empty watch.
func NewWatch() *Watch {
	return &Watch{byClient: map[uuid.UUID]map[chan struct{}]struct{}{}}
}

// Changed says client's identity changed; uuid.Nil is everyone's (a role
// or policy edit). It never blocks.
func (w *Watch) Changed(client uuid.UUID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, followers := range w.byClient {
		if client != uuid.Nil && id != client {
			continue
		}
		for c := range followers {
			select {
			case c <- struct{}{}:
			default: // one pending is enough: the stream checks once
			}
		}
	}
}

// Follow is told of client's changes until stop is called.
func (w *Watch) Follow(client uuid.UUID) (changes <-chan struct{}, stop func()) {
	c := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byClient[client] == nil {
		w.byClient[client] = map[chan struct{}]struct{}{}
	}
	w.byClient[client][c] = struct{}{}
	return c, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.byClient[client], c)
		if len(w.byClient[client]) == 0 {
			delete(w.byClient, client)
		}
	}
}
