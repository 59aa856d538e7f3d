package chaos

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Report is what a run did and found.
type Report struct {
	Seed   uint64
	Orders int
	Kills  []Kill
	Checks []Check
	Took   time.Duration

	retries atomic.Int64
	mu      sync.Mutex
	started time.Time
}

// Kill is one process killed and started again.
type Kill struct {
	Process string
	At      time.Duration // into the run
	Down    time.Duration // until it served again
}

// Check is one property the run proves, with what breaks it.
type Check struct {
	Name     string
	Findings []string
}

// Retries is how many times the clients sent a request again.
func (r *Report) Retries() int64 { return r.retries.Load() }

// Failed tells whether any check found something.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if len(c.Findings) > 0 {
			return true
		}
	}
	return false
}

func (r *Report) addKill(k Kill) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Kills = append(r.Kills, k)
}

func (r *Report) check(name string, findings []string) {
	r.Checks = append(r.Checks, Check{Name: name, Findings: findings})
}

// Print writes the report, each check's findings under it.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "chaos: seed %d: %d orders, %d kills, %d client retries, %v\n", r.Seed, r.Orders, len(r.Kills), r.Retries(), r.Took.Round(time.Second))
	for _, k := range r.Kills {
		fmt.Fprintf(w, "  killed %-22s at %7v, serving again after %v\n", k.Process, k.At.Round(100*time.Millisecond), k.Down.Round(100*time.Millisecond))
	}
	passed := 0
	for _, c := range r.Checks {
		verdict := "ok  "
		if len(c.Findings) > 0 {
			verdict = "FAIL"
		} else {
			passed++
		}
		fmt.Fprintf(w, "  %s %s: %d\n", verdict, c.Name, len(c.Findings))
		for i, f := range c.Findings {
			if i == 10 {
				fmt.Fprintf(w, "         … and %d more\n", len(c.Findings)-i)
				break
			}
			fmt.Fprintf(w, "         %s\n", f)
		}
	}
	fmt.Fprintf(w, "chaos: %d of %d checks passed\n", passed, len(r.Checks))
}
