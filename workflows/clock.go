package workflows

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/workflows/contract"
)

// Test clocks: a workflow bound to one lives on the clock's time, not the
// server's. The API advances a clock by signalling ClockAdvanceSignal to
// the workflows bound to it (subscriptions and purchases); a subscription
// passes the time on to its payments. A workflow steps through what fell
// due in order: it moves its time to the earliest timer before the target,
// lets everything that timer wakes run to its next wait (its payments
// included), and only then moves on, so a year advanced at once renews,
// retries and expires exactly as a year lived would.

// clockSettledSignal carries a clockSettled from a payment to its
// subscription.
const clockSettledSignal = "clock-settled"

// clockSettled tells a subscription that one of its payments has done all
// it had to at Now, and what it waits for next (zero: nothing timed).
type clockSettled struct {
	PaymentID uuid.UUID
	Now       time.Time
	NextWake  time.Time
}

// clock is a workflow's time: the server's, or a test clock's.
type clock struct {
	id     uuid.UUID // uuid.Nil: the server's time
	frozen time.Time // the test clock's time, as far as this workflow has come
	target time.Time // where an advance is taking it
	timers []*clockTimer
	seq    int
}

type clockTimer struct {
	seq int
	at  time.Time
	set workflow.Settable
}

func newClock(tc *contract.TestClock) *clock {
	if tc == nil {
		return &clock{}
	}
	t := tc.Now.UTC().Truncate(time.Second)
	c := &clock{id: tc.ID, frozen: t, target: t}
	c.advanceTo(tc.Target)
	return c
}

func (c *clock) test() bool { return c.id != uuid.Nil }

// now is the workflow's time, in UTC like every time billgate stores, and
// in whole seconds like Stripe's, so periods, invoices and the database
// agree to the instant whatever precision each keeps.
func (c *clock) now(ctx workflow.Context) time.Time {
	if c.test() {
		return c.frozen
	}
	return workflow.Now(ctx).UTC().Truncate(time.Second)
}

// timer fires at t, or at once when t has passed; stop forgets it.
func (c *clock) timer(ctx workflow.Context, t time.Time) (f workflow.Future, stop func()) {
	if !t.After(c.now(ctx)) {
		f, s := workflow.NewFuture(ctx)
		s.Set(nil, nil)
		return f, func() {}
	}
	if !c.test() {
		timerCtx, cancel := workflow.WithCancel(ctx)
		return workflow.NewTimer(timerCtx, t.Sub(workflow.Now(ctx))), cancel
	}
	f, s := workflow.NewFuture(ctx)
	c.seq++
	ct := &clockTimer{seq: c.seq, at: t, set: s}
	c.timers = append(c.timers, ct)
	return f, func() { c.timers = slices.DeleteFunc(c.timers, func(o *clockTimer) bool { return o == ct }) }
}

// nextWake is the earliest pending timer, or zero.
func (c *clock) nextWake() time.Time {
	var next time.Time
	for _, t := range c.timers {
		if next.IsZero() || t.at.Before(next) {
			next = t.at
		}
	}
	return next
}

// set moves the clock to t and fires the timers due by then, earliest
// first. It returns how many fired.
func (c *clock) set(t time.Time) int {
	if !t.After(c.frozen) {
		return 0
	}
	c.frozen = t
	if c.target.Before(t) {
		c.target = t
	}
	slices.SortFunc(c.timers, func(a, b *clockTimer) int {
		if d := a.at.Compare(b.at); d != 0 {
			return d
		}
		return a.seq - b.seq
	})
	fired := 0
	for len(c.timers) > 0 && !c.timers[0].at.After(t) {
		c.timers[0].set.Set(nil, nil)
		c.timers = c.timers[1:]
		fired++
	}
	return fired
}

// advanceTo makes t the target of the clock's stepping.
func (c *clock) advanceTo(t time.Time) {
	if t = t.UTC().Truncate(time.Second); t.After(c.target) {
		c.target = t
	}
}

// step moves the clock one step towards its target: to the earliest of its
// own timers and the other wakes given (its payments' next ones) if that
// comes first, else to the target. It returns how many timers fired.
func (c *clock) step(wakes ...time.Time) int {
	if !c.frozen.Before(c.target) {
		return 0
	}
	next := c.target
	for _, w := range append(wakes, c.nextWake()) {
		if !w.IsZero() && w.After(c.frozen) && w.Before(next) {
			next = w
		}
	}
	return c.set(next)
}

// caughtUp reports whether the clock has reached its target.
func (c *clock) caughtUp() bool { return !c.frozen.Before(c.target) }

// projectOptions run projection writes as local activities: one marker
// event in the history instead of three events and a workflow task, and
// retried until the database takes them (each write is versioned, so a
// retry is harmless).
var projectOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// nextVersion is the version of a projection written now, after last. A
// counter alone is not enough: an operator's Reset replays the workflow
// from an earlier point, and the counter with it, so the reset run's
// writes would rank below what the old run wrote and be ignored. Temporal's
// time at a workflow task only moves forward, also across resets and
// continued runs, so versions taken from it keep growing.
func nextVersion(ctx workflow.Context, last int64) int64 {
	return max(last+1, workflow.Now(ctx).UnixMicro())
}

// project writes a projection through the local activity fn, also once
// the workflow is canceled: what a canceled workflow ends in is written too.
func project(ctx workflow.Context, fn any, args ...any) {
	if ctx.Err() != nil {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	ctx = workflow.WithLocalActivityOptions(ctx, projectOptions)
	if err := workflow.ExecuteLocalActivity(ctx, fn, args...).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("projection not written", "error", err)
	}
}
