package auth

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSeenSignatures(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	key, other := uuid.New(), uuid.New()
	mac := func(b byte) []byte { return []byte{b, 1, 2, 3} }
	seen := newSeenSignatures(3)

	if !seen.firstUse(key, mac(1), now.Add(time.Minute), now) {
		t.Fatal("firstUse(a new MAC) = false, want true")
	}
	if seen.firstUse(key, mac(1), now.Add(time.Minute), now.Add(time.Second)) {
		t.Error("firstUse(the same MAC again) = true, want false")
	}
	if !seen.firstUse(other, mac(1), now.Add(time.Minute), now) {
		t.Error("firstUse(the same MAC by another key) = false, want true")
	}
	if !seen.firstUse(key, mac(1), now.Add(2*time.Minute), now.Add(time.Minute)) {
		t.Error("firstUse(a MAC whose entry ended) = false, want true")
	}
}

// Past its cap, the cache forgets the entries that end first, and keeps
// refusing the others.
func TestSeenSignaturesCap(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	key := uuid.New()
	seen := newSeenSignatures(2)
	seen.firstUse(key, []byte{1}, now.Add(3*time.Minute), now)
	seen.firstUse(key, []byte{2}, now.Add(time.Minute), now)
	seen.firstUse(key, []byte{3}, now.Add(2*time.Minute), now)
	if len(seen.entries) != 2 || len(seen.byEnd) != 2 {
		t.Fatalf("%d entries, %d in the heap, want 2", len(seen.entries), len(seen.byEnd))
	}
	for _, tt := range []struct {
		mac  byte
		want bool
	}{{1, false}, {3, false}, {2, true}} {
		if got := seen.firstUse(key, []byte{tt.mac}, now.Add(3*time.Minute), now); got != tt.want {
			t.Errorf("firstUse(MAC %d) = %v, want %v", tt.mac, got, tt.want)
		}
	}
}

// The same signed request, sent by many callers at once, is taken once:
// of all the goroutines presenting a MAC, exactly one is told it is new.
func TestSeenSignaturesConcurrent(t *testing.T) {
	const goroutines, macs = 16, 50
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	keys := []uuid.UUID{uuid.New(), uuid.New()}
	seen := newSeenSignatures(maxSeenSignatures)
	var accepted [2][macs]atomic.Int32
	together(goroutines, func(int) {
		for m := range macs {
			for k, key := range keys {
				if seen.firstUse(key, []byte{byte(m), 1, 2, 3}, now.Add(time.Minute+time.Duration(m)*time.Second), now) {
					accepted[k][m].Add(1)
				}
			}
		}
	})
	for k := range keys {
		for m := range macs {
			if n := accepted[k][m].Load(); n != 1 {
				t.Errorf("key %d, MAC %d: accepted %d times by %d goroutines, want once", k, m, n, goroutines)
			}
		}
	}
	if want := len(keys) * macs; len(seen.entries) != want || len(seen.byEnd) != want {
		t.Errorf("%d entries, %d in the heap, want %d", len(seen.entries), len(seen.byEnd), want)
	}
}
