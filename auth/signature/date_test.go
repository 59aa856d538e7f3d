package signature

import (
	"net/http"
	"testing"
	"time"
)

func TestCheckDate(t *testing.T) {
	now := time.Date(2014, 6, 7, 20, 51, 35, 0, time.UTC)
	const skew = 5 * time.Minute
	at := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name   string
		value  string
		skew   time.Duration
		reason string // "" accepts
	}{
		{"now", testDate, skew, ""},
		{"just before the skew", at(-skew), skew, ""},
		{"just after the skew", at(skew), skew, ""},
		{"RFC 850 form", "Saturday, 07-Jun-14 20:51:35 GMT", skew, ""},
		{"asctime form", "Sat Jun  7 20:51:35 2014", skew, ""},
		{"no skew, exact", testDate, 0, ""},

		{"a second too old", at(-skew - time.Second), skew, "from now, more than 5m0s"},
		{"a second too new", at(skew + time.Second), skew, "more than 5m0s"},
		{"a year old", at(-365 * 24 * time.Hour), skew, "more than"},
		{"no skew, a second off", at(time.Second), 0, "more than 0s"},
		{"negative skew", testDate, -time.Second, "more than -1s"},
		{"empty", "", skew, "not an HTTP date"},
		{"garbage", "yesterday", skew, "not an HTTP date"},
		{"RFC 3339", "2014-06-07T20:51:35Z", skew, "not an HTTP date"},
		{"numeric zone", "Sat, 07 Jun 2014 20:51:35 +0000", skew, "not an HTTP date"},
		{"trailing text", testDate + " x", skew, "not an HTTP date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date, err := CheckDate(tt.value, now, tt.skew)
			if tt.reason == "" {
				if err != nil || date.IsZero() {
					t.Errorf("CheckDate(%q, %v) = %v, %v, want the date", tt.value, tt.skew, date, err)
				}
				return
			}
			checkInvalid(t, "CheckDate("+tt.value+")", err, tt.reason)
		})
	}
}
