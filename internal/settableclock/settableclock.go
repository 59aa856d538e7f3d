// Package settableclock is a clock tests set and move, safe for
// concurrent use: a gateway adapter and its test server share one, so that
// signatures, expiries and tolerances are tested without sleeping.
package settableclock

import (
	"sync"
	"time"
)

// Clock is a time that moves only when told.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// At is a clock at t.
func At(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
