package models

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A MAC is new once per key while its row lives; a row past its end is
// taken over.
func TestRecordSignature(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		key, other := uuid.New(), uuid.New()
		mac := []byte{1, 2, 3, 4}
		end := now.Add(time.Minute)
		for _, tt := range []struct {
			name     string
			key      uuid.UUID
			mac      []byte
			end, now time.Time
			want     bool
		}{
			{"a new MAC", key, mac, end, now, true},
			{"the same MAC again", key, mac, end, now.Add(time.Second), false},
			{"the same MAC at its end", key, mac, end, end, false},
			{"the same MAC by another key", other, mac, end, now, true},
			{"another MAC", key, []byte{1, 2, 3, 5}, end, now, true},
			{"the same MAC past its end", key, mac, end.Add(time.Minute), end.Add(time.Millisecond), true},
			{"the same MAC within its new end", key, mac, end.Add(time.Minute), end.Add(time.Second), false},
		} {
			got, err := s.RecordSignature(ctx, tt.key, tt.mac, tt.end, tt.now)
			if err != nil || got != tt.want {
				t.Errorf("RecordSignature(%s) = %v, %v, want %v", tt.name, got, err, tt.want)
			}
		}
	})
}

// Of many callers presenting one MAC at once (each its own request, as on
// several API processes), exactly one is told it is new.
func TestRecordSignatureIsAtomic(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		key, mac := uuid.New(), []byte{9, 8, 7}
		var wg sync.WaitGroup
		var firsts atomic.Int32
		for range 16 {
			wg.Go(func() {
				first, err := s.RecordSignature(ctx, key, mac, now.Add(time.Minute), now)
				if err != nil {
					t.Error(err)
				}
				if first {
					firsts.Add(1)
				}
			})
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Errorf("one MAC presented 16 times at once was new %d times, want once", n)
		}
	})
}

// The purge deletes the signatures whose end came before its cutoff.
func TestPurgeSeenSignatures(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		key := uuid.New()
		ends := map[byte]time.Time{1: now.Add(-2 * time.Hour), 2: now.Add(-time.Minute), 3: now.Add(time.Minute)}
		for mac, end := range ends {
			if _, err := s.RecordSignature(ctx, key, []byte{mac}, end, end.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PurgeSeenSignatures(ctx, now.Add(-time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeSeenSignatures() = %d, %v, want 1", n, err)
		}
		var left int64
		if err := s.db.Model(&SeenSignature{}).Count(&left).Error; err != nil || left != 2 {
			t.Errorf("%d signatures left (%v), want 2", left, err)
		}
		if again, err := s.PurgeSeenSignatures(ctx, now.Add(-time.Hour)); err != nil || again != 0 {
			t.Errorf("PurgeSeenSignatures() again = %d, %v, want 0", again, err)
		}
	})
}
