package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

// By default a seen signature outlives its end by SeenSignatureRetention,
// then goes; while kept, it is still a replay.
func TestPurgeSeenSignatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		key := uuid.New()
		ends := map[byte]time.Time{1: now.Add(-SeenSignatureRetention - time.Second), 2: now.Add(-SeenSignatureRetention + time.Second)}
		for mac, end := range ends {
			if _, err := s.RecordSignature(ctx, key, []byte{mac}, end, end.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		a := &Activities{Store: s, Now: func() time.Time { return now }}
		got, err := a.PurgeSeenSignatures(ctx, PurgeSeenSignaturesInput{})
		if want := (PurgeSeenSignaturesResult{Purged: 1, Cutoff: now.Add(-SeenSignatureRetention)}); err != nil || got != want {
			t.Fatalf("PurgeSeenSignatures() = %+v, %v, want %+v", got, err, want)
		}
		// Probed at its end, a kept signature is a replay and a purged one new.
		for mac, want := range map[byte]bool{1: true, 2: false} {
			if first, err := s.RecordSignature(ctx, key, []byte{mac}, ends[mac], ends[mac]); err != nil || first != want {
				t.Errorf("signature %d after the purge: new = %v, %v, want %v", mac, first, err, want)
			}
		}
	})
}
