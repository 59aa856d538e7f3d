package billing

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DunningSchedule says when to retry a failed payment. Entry i is the delay of
// retry i+1 after the first failure (not after the previous retry), so the
// entries are strictly increasing. After the last retry fails, collection
// gives up. An empty schedule retries nothing.
type DunningSchedule []time.Duration

// Limits of a dunning schedule. MinDunningDelay keeps a schedule from
// retrying a card in a tight loop (a gateway sees that as card testing).
const (
	MaxDunningRetries = 10
	MinDunningDelay   = time.Minute
	MaxDunningDelay   = 60 * 24 * time.Hour
)

// DefaultDunning retries one, three and five days after the first failure.
var DefaultDunning = DunningSchedule{24 * time.Hour, 72 * time.Hour, 120 * time.Hour}

// ParseDunning reads Go durations such as "24h", "72h", "1h30m" and checks the
// schedule (see Validate).
func ParseDunning(delays []string) (DunningSchedule, error) {
	d, err := parseDelays(delays)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

func parseDelays(delays []string) (DunningSchedule, error) {
	if len(delays) > MaxDunningRetries {
		return nil, fmt.Errorf("dunning schedule has %d retries, at most %d are allowed", len(delays), MaxDunningRetries)
	}
	d := make(DunningSchedule, len(delays))
	for i, s := range delays {
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("dunning retry %d: %q is not a duration like \"24h\"", i+1, s)
		}
		d[i] = v
	}
	return d, nil
}

// Validate checks a schedule being made: at most MaxDunningRetries delays,
// each at least MinDunningDelay, later than the one before, and at most
// MaxDunningDelay.
func (d DunningSchedule) Validate() error {
	if err := d.validateOrder(); err != nil {
		return err
	}
	for i, v := range d {
		if v < MinDunningDelay {
			return fmt.Errorf("dunning retry %d: delay %s is shorter than %s", i+1, formatDelay(v), formatDelay(MinDunningDelay))
		}
	}
	return nil
}

// validateOrder checks what every schedule ever stored meets: those made
// before MinDunningDelay existed may be shorter.
func (d DunningSchedule) validateOrder() error {
	if len(d) > MaxDunningRetries {
		return fmt.Errorf("dunning schedule has %d retries, at most %d are allowed", len(d), MaxDunningRetries)
	}
	for i, v := range d {
		switch {
		case v <= 0:
			return fmt.Errorf("dunning retry %d: delay %s must be positive", i+1, formatDelay(v))
		case v > MaxDunningDelay:
			return fmt.Errorf("dunning retry %d: delay %s is longer than %s", i+1, formatDelay(v), formatDelay(MaxDunningDelay))
		case i > 0 && v <= d[i-1]:
			return fmt.Errorf("dunning retry %d: delay %s must be after the previous one, %s (delays count from the first failure)",
				i+1, formatDelay(v), formatDelay(d[i-1]))
		}
	}
	return nil
}

// NextAttempt returns when to retry after attemptsMade failed attempts, the
// first failure included (values below 1 count as 1), and false when the
// schedule is exhausted and collection should give up.
func (d DunningSchedule) NextAttempt(firstFailure time.Time, attemptsMade int) (time.Time, bool) {
	i := max(attemptsMade, 1) - 1
	if i >= len(d) {
		return time.Time{}, false
	}
	return firstFailure.UTC().Add(d[i]), true
}

// Strings returns the delays in the form ParseDunning reads.
func (d DunningSchedule) Strings() []string {
	out := make([]string, len(d))
	for i, v := range d {
		out[i] = formatDelay(v)
	}
	return out
}

// MarshalJSON writes the delays as a list of strings, ["24h","72h","120h"].
func (d DunningSchedule) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.Strings())
}

// UnmarshalJSON reads a list of duration strings as stored (in prices and
// workflow histories); null leaves the schedule nil. It holds them to the
// rules every stored schedule meets, not to MinDunningDelay, so that what
// was accepted before still reads: new schedules go through ParseDunning.
func (d *DunningSchedule) UnmarshalJSON(b []byte) error {
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("dunning schedule: want a list of durations like [\"24h\",\"72h\"]: %w", err)
	}
	if ss == nil {
		*d = nil
		return nil
	}
	v, err := parseDelays(ss)
	if err == nil {
		err = v.validateOrder()
	}
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// formatDelay writes whole-second durations without zero units ("24h",
// "1h30m", "1m30s"), where time.Duration.String would give "24h0m0s".
func formatDelay(v time.Duration) string {
	if v <= 0 || v%time.Second != 0 {
		return v.String()
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := v / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			v -= n * u.unit
		}
	}
	return b.String()
}
