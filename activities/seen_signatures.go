package activities

import (
	"context"
	"time"
)

// SeenSignatureRetention is how long a seen signature is kept past its
// end, and the default when PurgeSeenSignaturesInput.Retention is zero. A
// record is of no use once its Date has left the skew, but the purge runs
// on a worker's clock and the check on an API process's: the margin, well
// beyond any difference NTP leaves between them, keeps a record for as long
// as any process could still take its Date.
const SeenSignatureRetention = 5 * time.Minute

// PurgeSeenSignaturesInput keeps seen signatures Retention past their
// end; zero means SeenSignatureRetention.
type PurgeSeenSignaturesInput = PurgeInput

// PurgeSeenSignaturesResult reports what a seen-signature purge deleted.
type PurgeSeenSignaturesResult = PurgeResult

// PurgeSeenSignatures deletes the HTTP Signatures remembered against
// replay whose end came more than the retention ago.
func (a *Activities) PurgeSeenSignatures(ctx context.Context, in PurgeSeenSignaturesInput) (PurgeSeenSignaturesResult, error) {
	return a.purge(ctx, "seen signatures", in.Retention, SeenSignatureRetention, a.Store.PurgeSeenSignatures)
}
