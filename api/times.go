package api

import "time"

// The times a client gives (a test clock's, a key's or a session's expiry)
// lie in [earliestTime, latestTime). What billgate derives from them stays
// far inside what every part of it can represent: periods of up to five
// years, trials of up to two and dunning of up to sixty days must still be
// writable as RFC 3339 (years up to 9999, which a workflow's JSON payloads
// need), storable in Postgres and SQLite, and measurable from now as a
// time.Duration (±292 years). A test clock at 9999-12-31 once made a
// subscription whose workflow could never record its first period.
var (
	earliestTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestTime   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// validTime refuses a time outside [earliestTime, latestTime).
func validTime(field string, t time.Time) error {
	if t.Before(earliestTime) || !t.Before(latestTime) {
		return Invalid(field, field+" must be from "+earliestTime.Format(time.RFC3339)+" and before "+latestTime.Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	return nil
}
