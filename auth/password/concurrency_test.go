package password

import (
	"sync"
	"testing"
)

// A login flood must not take every core and 19 MiB a login: the hashes a
// Hasher computes at once are bounded, and the logins past the bound wait
// their turn (issue 15: under a flood, authenticated reads kept their
// latency only once the hashes were bounded).
func TestHashesAtOnceAreBounded(t *testing.T) {
	h := New(DefaultParams())
	stored, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if got := cap(h.slots); got < 1 {
		t.Fatalf("%d slots, want at least one", got)
	}
	h.slots = make(chan struct{}, 1)
	h.peak.Store(0)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				h.VerifyDummy("guess")
				return
			}
			if ok, _, err := h.Verify("correct horse battery staple", stored); !ok || err != nil {
				t.Errorf("Verify = %v %v", ok, err)
			}
		})
	}
	wg.Wait()
	if peak := h.peak.Load(); peak != 1 {
		t.Errorf("%d hashes computed at once, want 1", peak)
	}
}
