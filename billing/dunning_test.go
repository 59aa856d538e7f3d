package billing

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

const h = time.Hour

func TestParseDunning(t *testing.T) {
	ten := []string{"1h", "2h", "3h", "4h", "5h", "6h", "7h", "8h", "9h", "10h"}
	tests := []struct {
		in      []string
		want    DunningSchedule
		wantErr string
	}{
		{[]string{"24h", "72h", "120h"}, DefaultDunning, ""},
		{[]string{" 30m ", "1h30m", "2h0m0s"}, DunningSchedule{30 * time.Minute, 90 * time.Minute, 2 * h}, ""},
		{[]string{"1440h"}, DunningSchedule{MaxDunningDelay}, ""},
		{ten, DunningSchedule{1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h, 7 * h, 8 * h, 9 * h, 10 * h}, ""},
		{[]string{}, DunningSchedule{}, ""},
		{nil, DunningSchedule{}, ""},
		{append(ten, "11h"), nil, "at most 10"},
		{[]string{"1441h"}, nil, "longer than 1440h"},
		{[]string{"0s"}, nil, "must be positive"},
		{[]string{"-24h"}, nil, "must be positive"},
		{[]string{"0.1ns"}, nil, "must be positive"},
		{[]string{"1ns"}, nil, "retry 1: delay 1ns is shorter than 1m"},
		{[]string{"59s"}, nil, "retry 1: delay 59s is shorter than 1m"},
		{[]string{"59.999s"}, nil, "shorter than 1m"},
		{[]string{"1h", "2h", "30s"}, nil, "must be after the previous one"},
		{[]string{"1m", "1m1s"}, DunningSchedule{time.Minute, time.Minute + time.Second}, ""},
		{[]string{"24h", "24h"}, nil, "retry 2: delay 24h must be after the previous one, 24h"},
		{[]string{"72h", "24h"}, nil, "must be after the previous one"},
		{[]string{"3d"}, nil, `"3d" is not a duration`},
		{[]string{""}, nil, "is not a duration"},
		{[]string{"24"}, nil, "is not a duration"},
		{[]string{"24h", "banana"}, nil, "retry 2"},
	}
	for _, tt := range tests {
		got, err := ParseDunning(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDunning(%q) = %v, %v, want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseDunning(%q) = %#v, %v, want %#v", tt.in, got, err, tt.want)
		}
	}
}

func TestDunningValidate(t *testing.T) {
	tests := []struct {
		d       DunningSchedule
		wantErr bool
	}{
		{DefaultDunning, false},
		{nil, false},
		{DunningSchedule{1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h, 7 * h, 8 * h, 9 * h, 10 * h}, false},
		{DunningSchedule{1 * h, 2 * h, 3 * h, 4 * h, 5 * h, 6 * h, 7 * h, 8 * h, 9 * h, 10 * h, 11 * h}, true},
		{DunningSchedule{MinDunningDelay}, false},
		{DunningSchedule{MinDunningDelay - 1}, true},
		{DunningSchedule{1}, true},
		{DunningSchedule{h, h + MinDunningDelay - 1}, false}, // the minimum bounds each delay, not the gaps
		{DunningSchedule{h, h}, true},
		{DunningSchedule{0}, true},
		{DunningSchedule{MaxDunningDelay + 1}, true},
	}
	for _, tt := range tests {
		if err := tt.d.Validate(); (err != nil) != tt.wantErr {
			t.Errorf("DunningSchedule(%v).Validate() = %v, want error %v", []time.Duration(tt.d), err, tt.wantErr)
		}
	}
}

func TestNextAttempt(t *testing.T) {
	first := utc(2024, 6, 1, 10, 0, 0)
	tests := []struct {
		d        DunningSchedule
		attempts int
		want     time.Time
		wantOK   bool
	}{
		{DefaultDunning, 1, utc(2024, 6, 2, 10, 0, 0), true},
		{DefaultDunning, 2, utc(2024, 6, 4, 10, 0, 0), true},
		{DefaultDunning, 3, utc(2024, 6, 6, 10, 0, 0), true},
		{DefaultDunning, 4, time.Time{}, false},
		{DefaultDunning, 100, time.Time{}, false},
		{DefaultDunning, 0, utc(2024, 6, 2, 10, 0, 0), true},
		{DefaultDunning, -3, utc(2024, 6, 2, 10, 0, 0), true},
		{DunningSchedule{}, 1, time.Time{}, false},
		{nil, 1, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := tt.d.NextAttempt(first, tt.attempts)
		if !got.Equal(tt.want) || ok != tt.wantOK {
			t.Errorf("%v.NextAttempt(%s, %d) = %s, %v, want %s, %v", tt.d.Strings(), first, tt.attempts, got, ok, tt.want, tt.wantOK)
		}
	}
	est := time.Date(2024, 6, 1, 6, 0, 0, 0, time.FixedZone("EDT", -4*3600))
	got, ok := DefaultDunning.NextAttempt(est, 1)
	if want := utc(2024, 6, 2, 10, 0, 0); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("NextAttempt(%s, 1) = %s, %v, want %s in UTC", est, got, ok, want)
	}
}

func TestDunningJSON(t *testing.T) {
	b, err := json.Marshal(DefaultDunning)
	if want := `["24h","72h","120h"]`; err != nil || string(b) != want {
		t.Errorf("json.Marshal(DefaultDunning) = %s, %v, want %s", b, err, want)
	}
	tests := []struct {
		in      string
		want    DunningSchedule
		wantErr bool
	}{
		{`["24h","72h","120h"]`, DefaultDunning, false},
		{`["1h30m"]`, DunningSchedule{90 * time.Minute}, false},
		{`[]`, DunningSchedule{}, false},
		{`null`, nil, false},
		{`["72h","24h"]`, nil, true},
		// Stored before MinDunningDelay (prices, workflow histories): still read.
		{`["1s","2s"]`, DunningSchedule{time.Second, 2 * time.Second}, false},
		{`["1ns"]`, DunningSchedule{1}, false},
		{`["0s"]`, nil, true},
		{`[24]`, nil, true},
		{`"24h"`, nil, true},
	}
	for _, tt := range tests {
		var got DunningSchedule
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("json.Unmarshal(%s) = %#v, %v, want %#v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFormatDelay(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{24 * h, "24h"},
		{90 * time.Minute, "1h30m"},
		{90 * time.Second, "1m30s"},
		{h + time.Second, "1h1s"},
		{1500 * time.Millisecond, "1.5s"},
		{0, "0s"},
		{-h, "-1h0m0s"},
	}
	for _, tt := range tests {
		if got := formatDelay(tt.d); got != tt.want {
			t.Errorf("formatDelay(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func FuzzParseDunning(f *testing.F) {
	for _, s := range []string{"24h,72h,120h", "", "1h30m", "0s", "72h,24h", "1441h", "1ns,2ns", "3d", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var in []string
		if s != "" {
			in = strings.Split(s, ",")
		}
		d, err := ParseDunning(in)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil || len(d) > MaxDunningRetries {
			t.Fatalf("ParseDunning(%q) = %v, which is invalid: %v", in, d, err)
		}
		again, err := ParseDunning(d.Strings())
		if err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("ParseDunning(%q) = %v, %v, want %v (round trip)", d.Strings(), again, err, d)
		}
		first := utc(2024, 1, 1, 0, 0, 0)
		prev := first
		for n := 1; ; n++ {
			next, ok := d.NextAttempt(first, n)
			if !ok {
				if n != len(d)+1 {
					t.Fatalf("%v.NextAttempt(first, %d) gave up, want %d retries", d.Strings(), n, len(d))
				}
				break
			}
			if !next.After(prev) || next.Sub(first) > MaxDunningDelay {
				t.Fatalf("%v.NextAttempt(first, %d) = %s, not after %s or too late", d.Strings(), n, next, prev)
			}
			prev = next
		}
	})
}
