package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// replayStore remembers the signatures accepted while their Date is within
// the skew, for every API process at once.
type replayStore interface {
	// RecordSignature records the MAC of key as seen until expiresAt and
	// reports whether it was new: false while a row for it lives at now.
	RecordSignature(ctx context.Context, key uuid.UUID, mac []byte, expiresAt, now time.Time) (bool, error)
}

// replayed records an accepted signature of key, whose Date is date, until
// that Date leaves the skew, and reports whether the request replays a
// signature some API process recorded already and is not a read: so the
// very same signed change is taken once by the whole deployment.
// Signatures are keyed by key ID and MAC bytes, never the header's text,
// so another base64 spelling of the same MAC is the same signature.
//
// The record lives exactly as long as its Date is acceptable: a process
// takes the Date while its own clock reads at most date+skew, and the
// record blocks until then by that same clock, so replicas whose clocks
// differ still refuse the replay.
func (s *SigningKeys) replayed(ctx context.Context, key uuid.UUID, mac []byte, date time.Time, method string, now time.Time) (bool, error) {
	first, err := s.store.RecordSignature(ctx, key, mac, date.Add(s.skew), now)
	if err != nil {
		return false, err
	}
	return !first && !safeMethod(method), nil
}

// safeMethod reports whether a request only reads (RFC 9110, 9.2.1). A
// signature is taken again for a read: a client may poll twice within
// the Date's one-second resolution, and a replayed read shows only what
// its eavesdropper already saw. Every signature is remembered all the
// same, so one first seen on a read never changes anything later.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
