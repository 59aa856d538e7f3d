package signature

import (
	"net/http"
	"time"
)

// CheckDate checks that a Date header (an HTTP date: IMF-fixdate, or the
// obsolete forms http.ParseTime also reads) lies within skew of now, in
// either direction: it bounds how long a captured request can be replayed.
// It returns the date, which stays acceptable until date+skew.
func CheckDate(value string, now time.Time, skew time.Duration) (time.Time, error) {
	date, err := http.ParseTime(value)
	if err != nil {
		return time.Time{}, invalid("Date is not an HTTP date")
	}
	if off := now.Sub(date); off > skew || off < -skew {
		return time.Time{}, invalid("Date is %v from now, more than %v", off, skew)
	}
	return date, nil
}
