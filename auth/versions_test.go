package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// gatedVersions answers each read with the number of reads begun so far,
// once the test lets it through.
type gatedVersions struct {
	mu      sync.Mutex
	batches [][]uuid.UUID
	started chan struct{}
	gate    chan struct{}
}

func (g *gatedVersions) IdentityVersions(_ context.Context, clients []uuid.UUID) (map[uuid.UUID]IdentityVersion, error) {
	g.mu.Lock()
	g.batches = append(g.batches, clients)
	n := int64(len(g.batches))
	g.mu.Unlock()
	g.started <- struct{}{}
	<-g.gate
	out := map[uuid.UUID]IdentityVersion{}
	for _, id := range clients {
		out[id] = IdentityVersion{Client: n}
	}
	return out, nil
}

// Requests that arrive while a read runs are answered together by the next
// one, never by the read that began before them; past maxVersionBatch
// clients they gather into the read after.
func TestVersionReadsCoalesce(t *testing.T) {
	store := &gatedVersions{started: make(chan struct{}, 10), gate: make(chan struct{})}
	r := &versionReads{store: store}
	ctx := context.Background()
	type answer struct {
		v   IdentityVersion
		err error
	}
	ask := func(client uuid.UUID) chan answer {
		c := make(chan answer, 1)
		go func() {
			v, err := r.of(ctx, client)
			c <- answer{v, err}
		}()
		return c
	}

	first := ask(uuid.New())
	<-store.started // the first read runs, held at the gate
	waiting := make([]chan answer, maxVersionBatch+1)
	for i := range waiting {
		waiting[i] = ask(uuid.New())
	}
	// Let every waiting request join before the first read ends: the
	// second read gathers maxVersionBatch of them, the third the last.
	var second *versionRead
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		if second == nil {
			second = r.gathering
		}
		third := r.gathering != nil && r.gathering != second && len(r.gathering.clients) == 1
		r.mu.Unlock()
		if third {
			break
		}
	}
	close(store.gate)
	if a := <-first; a.err != nil || a.v.Client != 1 {
		t.Errorf("the first request = %+v, want read 1's answer", a)
	}
	counts := map[int64]int{}
	for _, c := range waiting {
		a := <-c
		if a.err != nil {
			t.Fatalf("a waiting request = %v", a.err)
		}
		counts[a.v.Client]++
	}
	if counts[2] != maxVersionBatch || counts[3] != 1 || len(store.batches) != 3 {
		t.Errorf("%d reads answered the waiting requests %v times each (by read), want read 2 %d times and read 3 once",
			len(store.batches), counts, maxVersionBatch)
	}
}

// A request whose context ends stops waiting; the read goes on for the
// others.
func TestVersionReadsCancel(t *testing.T) {
	store := &gatedVersions{started: make(chan struct{}, 10), gate: make(chan struct{})}
	r := &versionReads{store: store}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.of(ctx, uuid.New())
		done <- err
	}()
	<-store.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("of() after its context ended = %v, want context.Canceled", err)
	}
	close(store.gate)
	if v, err := r.of(context.Background(), uuid.New()); err != nil || v.Client != 2 {
		t.Errorf("the next of() = %+v, %v, want read 2's answer", v, err)
	}
}
