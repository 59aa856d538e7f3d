package auth

import (
	"container/heap"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/google/uuid"
)

// maxSeenSignatures bounds the replay cache's memory (about 150 bytes an
// entry, 30 MB in all). Past it, the entries nearest their end are
// forgotten first: they are the least use to replay.
const maxSeenSignatures = 200_000

// seenSignatures is the replay cache: the signatures accepted while their
// Date is within the skew, so the very same signed change is taken once.
// Entries are keyed by key ID and MAC bytes, never the header's text, so
// another base64 spelling of the same MAC is the same entry. It lives in one
// process: API replicas do not share it.
type seenSignatures struct {
	mu      sync.Mutex
	max     int
	entries map[seenSignature]bool
	byEnd   seenHeap
}

// seenSignature is one accepted MAC by one key.
type seenSignature struct {
	key uuid.UUID
	mac [sha256.Size]byte // a shorter MAC (hmac-sha1) is zero-padded
}

func newSeenSignatures(max int) *seenSignatures {
	return &seenSignatures{max: max, entries: map[seenSignature]bool{}}
}

// firstUse records the MAC of key as accepted until end, and reports
// whether it was not already: false is a replay.
func (s *seenSignatures) firstUse(key uuid.UUID, mac []byte, end, now time.Time) bool {
	e := seenSignature{key: key}
	copy(e.mac[:], mac)
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.byEnd) > 0 && !s.byEnd[0].end.After(now) {
		s.forgetFirst()
	}
	if s.entries[e] {
		return false
	}
	if len(s.entries) >= s.max {
		s.forgetFirst()
	}
	s.entries[e] = true
	heap.Push(&s.byEnd, seenUntil{seenSignature: e, end: end})
	return true
}

// forgetFirst drops the entry that expires first.
func (s *seenSignatures) forgetFirst() {
	delete(s.entries, heap.Pop(&s.byEnd).(seenUntil).seenSignature)
}

type seenUntil struct {
	seenSignature
	end time.Time
}

// seenHeap is a min-heap of entries by their end.
type seenHeap []seenUntil

func (h seenHeap) Len() int           { return len(h) }
func (h seenHeap) Less(i, j int) bool { return h[i].end.Before(h[j].end) }
func (h seenHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *seenHeap) Push(x any)        { *h = append(*h, x.(seenUntil)) }
func (h *seenHeap) Pop() any {
	old := *h
	last := old[len(old)-1]
	*h = old[:len(old)-1]
	return last
}
