package workflows

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	lifeStart = time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)
	lifeNow   = time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC) // within the first period
)

func lifeDate(month time.Month, day int) time.Time {
	return time.Date(2025, month, day, 9, 0, 0, 0, time.UTC)
}

// lifeRows are the columns of TestLifecycleEvents: a monthly subscription
// in each status, active and set to cancel at period end among them. Each
// is in its first period, [Jan 15, Feb 15), paid unless pending or
// trialing.
var lifeRows = [...]string{"pending", "trialing", "active", "canceling", "past_due", "paused", "canceled", "expired"}

func lifeIn(row string) *lifecycle {
	first := contract.Period{Start: lifeStart, End: lifeDate(time.February, 15)}
	l := &lifecycle{
		Status: contract.SubscriptionStatus(row), Plan: monthly(3000), Quantity: 1, CreatedAt: lifeStart,
		Anchor: lifeStart, CurrentPeriod: first, Next: 1,
	}
	switch row {
	case "pending":
		l.Next = 0
	case "trialing":
		l.Plan.TrialDays = 31
		l.TrialEnd, l.Anchor, l.Next = lifeDate(time.February, 15), lifeDate(time.February, 15), 0
	case "canceling":
		l.Status, l.CancelAtPeriodEnd, l.CanceledAt = contract.SubscriptionActive, true, lifeNow
	case "paused":
		l.PausedAt = lifeNow
	case "canceled", "expired":
		l.EndedAt = lifeNow
	}
	return l
}

const lifeCanceling = "active and set to cancel at period end"

// Every event in every status: how the subscription then describes
// itself, or why the change is refused.
func TestLifecycleEvents(t *testing.T) {
	type outcome struct{ becomes, refused string }
	same := outcome{} // the row describes itself as before
	to := func(described string) outcome { return outcome{becomes: described} }
	no := func(reason string) outcome { return outcome{refused: reason} }
	const (
		alreadyCanceled = "the subscription is already canceled"
		alreadyExpired  = "the subscription is already expired"
		notPausable     = "only an active subscription can be paused; it is "
		notResumable    = "only a paused subscription can be resumed; it is "
		noPriceChange   = "only an active or trialing subscription can change price; it is "
		noUpcoming      = "no upcoming invoice: the subscription is "
	)
	newPrice := func(l *lifecycle) contract.PriceChange {
		plan := l.Plan
		plan.PriceID, plan.Amount = uuid.New(), usd(4000)
		return contract.PriceChange{Plan: plan}
	}
	card := contract.PaymentMethod{Gateway: "sandbox", Token: "tok"}
	declined := [len(lifeRows)]outcome{same, to("past_due"), to("past_due"), to("past_due and set to cancel at period end"), same, same, same, same}
	for _, ev := range []struct {
		name  string
		check func(*lifecycle) error // the update's validator, if the event has one
		apply func(*lifecycle)
		want  [len(lifeRows)]outcome // pending, trialing, active, canceling, past_due, paused, canceled, expired
	}{
		{"cancel now",
			func(l *lifecycle) error { return l.canCancel(contract.Cancel{}) },
			func(l *lifecycle) { l.cancel(contract.Cancel{}, lifeNow) },
			[...]outcome{to("canceled"), to("canceled"), to("canceled"), to("canceled"), to("canceled"), to("canceled"), no(alreadyCanceled), no(alreadyExpired)}},
		{"cancel at period end",
			func(l *lifecycle) error { return l.canCancel(contract.Cancel{AtPeriodEnd: true}) },
			func(l *lifecycle) { l.cancel(contract.Cancel{AtPeriodEnd: true}, lifeNow) },
			[...]outcome{
				no("a pending subscription has no paid period to finish: cancel it now"),
				to("trialing and set to cancel at period end"), to(lifeCanceling), to(lifeCanceling),
				to("past_due and set to cancel at period end"),
				no("a paused subscription has no period running: cancel it now"),
				no(alreadyCanceled), no(alreadyExpired),
			}},
		{"pause", (*lifecycle).canPause, func(l *lifecycle) { l.pause(lifeNow) },
			[...]outcome{
				no(notPausable + "pending"), no(notPausable + "trialing"), to("paused"), no(notPausable + lifeCanceling),
				no(notPausable + "past_due"), no(notPausable + "paused"), no(notPausable + "canceled"), no(notPausable + "expired"),
			}},
		{"resume", (*lifecycle).canResume, func(l *lifecycle) { l.resume(lifeNow) },
			[...]outcome{
				no(notResumable + "pending"), no(notResumable + "trialing"), no(notResumable + "active"), no(notResumable + lifeCanceling),
				no(notResumable + "past_due"), to("active"), no(notResumable + "canceled"), no(notResumable + "expired"),
			}},
		{"change price", func(l *lifecycle) error { return l.canChangePrice(newPrice(l), false) }, func(*lifecycle) {},
			[...]outcome{
				no(noPriceChange + "pending"), same, same, same,
				no(noPriceChange + "past_due"), no(noPriceChange + "paused"), no(noPriceChange + "canceled"), no(noPriceChange + "expired"),
			}},
		{"change payment method", func(l *lifecycle) error { return l.canChangePaymentMethod(card) }, func(*lifecycle) {},
			[...]outcome{same, same, same, same, same, same, no(alreadyCanceled), no(alreadyExpired)}},
		{"preview the upcoming invoice", (*lifecycle).canPreview, func(*lifecycle) {},
			[...]outcome{same, same, same, no(noUpcoming + lifeCanceling), same, no(noUpcoming + "paused"), no(noUpcoming + "canceled"), no(noUpcoming + "expired")}},
		{"upcoming invoice paid", nil, func(l *lifecycle) { l.renewed(l.period(l.Next), l.Next) },
			[...]outcome{to("active"), to("active"), same, same, to("active"), same, same, same}},
		{"another invoice paid", nil, (*lifecycle).paid,
			[...]outcome{same, same, same, same, to("active"), same, same, same}},
		{"upcoming invoice declined", nil, func(l *lifecycle) { l.renewalDeclined(l.period(l.Next)) }, declined},
		{"another invoice declined", nil, func(l *lifecycle) { l.declined() }, declined},
		{"payment expired", nil, func(l *lifecycle) { l.expired(lifeNow) },
			[...]outcome{to("expired"), to("expired"), to("expired"), to("expired"), to("expired"), to("expired"), same, same}},
		{"period end", nil, func(l *lifecycle) { l.endIfDue(l.CurrentPeriod.End) },
			[...]outcome{same, same, same, to("canceled"), same, same, same, same}},
	} {
		for i, row := range lifeRows {
			l := lifeIn(row)
			before := l.describe()
			var err error
			if ev.check != nil {
				err = ev.check(l)
			}
			if err == nil {
				ev.apply(l)
			}
			got, want := to(l.describe()), ev.want[i]
			if err != nil {
				got = no(err.Error())
			}
			if want == same {
				want = to(before)
			}
			if got != want {
				t.Errorf("%s when %s: got %+v, want %+v", ev.name, row, got, want)
			}
		}
	}
}

// The refusals past the status are about what the change asks for.
func TestLifecycleRefusals(t *testing.T) {
	active := lifeIn("active")
	change := func(edit func(*contract.PriceChange)) contract.PriceChange {
		c := contract.PriceChange{Plan: active.Plan, Proration: billing.CreateProrations}
		c.Plan.PriceID, c.Plan.Amount = uuid.New(), usd(4000)
		edit(&c)
		return c
	}
	yearly := billing.Recurrence{Interval: billing.Year, Count: 1}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"the next invoice is being collected", active.canChangePrice(change(func(*contract.PriceChange) {}), true),
			"the next period's invoice is being collected: change the price once it is paid"},
		{"the same price", active.canChangePrice(change(func(c *contract.PriceChange) { c.Plan.PriceID = active.Plan.PriceID }), false),
			"the subscription is already on price " + active.Plan.PriceID.String()},
		{"another currency", active.canChangePrice(change(func(c *contract.PriceChange) { c.Plan.Amount.Currency = "EUR" }), false),
			"the new price is in EUR, the subscription in USD"},
		{"another interval, set to cancel at period end", lifeIn("canceling").canChangePrice(change(func(c *contract.PriceChange) { c.Plan.Recurrence = yearly }), false),
			"a change of interval starts a new period, and the subscription is set to cancel at period end"},
		{"a plan that cannot be billed", active.canChangePrice(change(func(c *contract.PriceChange) { c.Plan.Amount.Amount = -1 }), false),
			"the plan's amount is negative"},
		{"a total that overflows", (&lifecycle{Status: contract.SubscriptionActive, Plan: active.Plan, Quantity: 1 << 62}).canChangePrice(change(func(c *contract.PriceChange) {}), false),
			"the new price times the quantity of 4611686018427387904: " + overflowOf(usd(4000), 1<<62)},
		{"an unknown proration mode", active.canChangePrice(change(func(c *contract.PriceChange) { c.Proration = "sometimes" }), false),
			`unknown proration mode "sometimes": want create_prorations, always_invoice or none`},
		{"a payment method with no gateway", active.canChangePaymentMethod(contract.PaymentMethod{Token: "tok"}),
			"a payment method names its gateway and its token"},
		{"a payment method with no token", active.canChangePaymentMethod(contract.PaymentMethod{Gateway: "sandbox"}),
			"a payment method names its gateway and its token"},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, tc.err, tc.want)
		}
	}
	if active.Status != contract.SubscriptionActive {
		t.Errorf("a refusal changed the status to %s", active.Status)
	}
	if err := lifeIn("trialing").canChangePrice(change(func(c *contract.PriceChange) { c.Plan.Recurrence = yearly }), false); err != nil {
		t.Errorf("a trial's change of interval: %v", err)
	}
}

func overflowOf(m billing.Money, quantity int64) string {
	_, err := m.MulInt(quantity)
	if err == nil {
		panic("no overflow")
	}
	return err.Error()
}

func TestLifecycleStarts(t *testing.T) {
	trial := monthly(3000)
	trial.TrialDays = 14
	for _, tc := range []struct {
		name       string
		plan       contract.Plan
		status     contract.SubscriptionStatus
		trialEnd   time.Time
		current    contract.Period
		firstStart time.Time
	}{
		{"with a trial", trial, contract.SubscriptionTrialing, lifeDate(time.January, 29),
			contract.Period{Start: lifeStart, End: lifeDate(time.January, 29)}, lifeDate(time.January, 29)},
		{"without one", monthly(3000), contract.SubscriptionPending, time.Time{},
			contract.Period{Start: lifeStart, End: lifeDate(time.February, 15)}, lifeStart},
	} {
		st := subscriptionStarted(tc.plan, 2, lifeStart)
		l := (*lifecycle)(&st)
		first, _ := l.nextPeriod()
		if st.Status != tc.status || !st.TrialEnd.Equal(tc.trialEnd) || st.CurrentPeriod != tc.current ||
			!first.Start.Equal(tc.firstStart) || st.Quantity != 2 || st.Credit != usd(0) || !st.CreatedAt.Equal(lifeStart) {
			t.Errorf("%s: started %+v, first period %+v", tc.name, st, first)
		}
	}
}

func TestLifecycleWhatFallsDueNext(t *testing.T) {
	after := func(row string, events ...func(*lifecycle)) *lifecycle {
		l := lifeIn(row)
		for _, ev := range events {
			ev(l)
		}
		return l
	}
	renewed := func(l *lifecycle) { l.renewed(l.period(l.Next), l.Next) }
	none := contract.Period{}
	for _, tc := range []struct {
		name      string
		l         *lifecycle
		now       time.Time
		next      contract.Period // none when nothing is to be invoiced
		billingAt time.Time       // zero when nothing is scheduled
		endsAt    time.Time       // zero when it is not set to end
	}{
		{"the first period starts when the trial ends", lifeIn("trialing"), lifeNow,
			contract.Period{Start: lifeDate(time.February, 15), End: lifeDate(time.March, 15)}, lifeDate(time.February, 15), time.Time{}},
		{"the first invoice is due at once", lifeIn("pending"), lifeStart,
			contract.Period{Start: lifeStart, End: lifeDate(time.February, 15)}, time.Time{}, time.Time{}},
		{"the next period follows the paid one", lifeIn("active"), lifeNow,
			contract.Period{Start: lifeDate(time.February, 15), End: lifeDate(time.March, 15)}, lifeDate(time.February, 15), time.Time{}},
		{"the next period is due at the boundary", lifeIn("active"), lifeDate(time.February, 15),
			contract.Period{Start: lifeDate(time.February, 15), End: lifeDate(time.March, 15)}, time.Time{}, time.Time{}},
		{"a renewal moves on a period", after("active", renewed), lifeDate(time.February, 15),
			contract.Period{Start: lifeDate(time.March, 15), End: lifeDate(time.April, 15)}, lifeDate(time.March, 15), time.Time{}},
		{"set to cancel at period end, it ends instead", lifeIn("canceling"), lifeNow,
			none, time.Time{}, lifeDate(time.February, 15)},
		{"a trial set to cancel ends with it", after("trialing", func(l *lifecycle) { l.cancel(contract.Cancel{AtPeriodEnd: true}, lifeNow) }), lifeNow,
			none, time.Time{}, lifeDate(time.February, 15)},
		{"past due, the declined invoice is retried and nothing more is due", lifeIn("past_due"), lifeNow,
			none, time.Time{}, time.Time{}},
		{"paused has nothing due", lifeIn("paused"), lifeNow, none, time.Time{}, time.Time{}},
		{"resuming starts a cycle due at once", after("paused", func(l *lifecycle) { l.resume(lifeNow) }), lifeNow,
			contract.Period{Start: lifeNow, End: lifeNow.AddDate(0, 1, 0)}, time.Time{}, time.Time{}},
		{"a restarted cycle starts at its anchor", after("active", func(l *lifecycle) { l.restartCycle(lifeDate(time.February, 15)) }), lifeNow,
			contract.Period{Start: lifeDate(time.February, 15), End: lifeDate(time.March, 15)}, lifeDate(time.February, 15), time.Time{}},
		{"canceled has nothing due", lifeIn("canceled"), lifeNow, none, time.Time{}, time.Time{}},
		{"expired has nothing due", lifeIn("expired"), lifeNow, none, time.Time{}, time.Time{}},
		{"ended at period end, nothing is due", after("canceling", func(l *lifecycle) { l.endIfDue(l.CurrentPeriod.End) }), lifeDate(time.February, 15),
			none, time.Time{}, time.Time{}},
	} {
		next, ok := tc.l.nextPeriod()
		if ok != (tc.next != none) || next != tc.next {
			t.Errorf("%s: next period %+v (%v), want %+v", tc.name, next, ok, tc.next)
		}
		if got := tc.l.billingAt(tc.now); !got.Equal(tc.billingAt) {
			t.Errorf("%s: billing at %v, want %v", tc.name, got, tc.billingAt)
		}
		if got, ok := tc.l.endsAt(); ok != !tc.endsAt.IsZero() || !got.Equal(tc.endsAt) {
			t.Errorf("%s: ends at %v (%v), want %v", tc.name, got, ok, tc.endsAt)
		}
	}
}

func TestLifecycleEndsAtPeriodEnd(t *testing.T) {
	l := lifeIn("canceling")
	l.NextBillingAt = lifeDate(time.February, 15)
	if l.endIfDue(lifeDate(time.February, 15).Add(-time.Second)) || l.Status != contract.SubscriptionActive {
		t.Fatalf("ended before its period did: %+v", *l)
	}
	end := lifeDate(time.February, 15).Add(time.Minute) // a clock that woke late
	if !l.endIfDue(end) || l.Status != contract.SubscriptionCanceled || !l.EndedAt.Equal(end) || !l.NextBillingAt.IsZero() {
		t.Fatalf("not ended at period end: %+v", *l)
	}
	if l.endIfDue(end) || l.expired(end) {
		t.Error("an ended subscription ended again")
	}
}

func TestLifecycleSchedulesTheUpcomingInvoice(t *testing.T) {
	l := lifeIn("active")
	next := l.period(l.Next)
	l.upcomingOpened(next, next.Start)
	if !l.NextBillingAt.IsZero() {
		t.Errorf("an invoice due now is scheduled at %v", l.NextBillingAt)
	}
	l.upcomingOpened(next, lifeNow)
	if !l.NextBillingAt.Equal(next.Start) {
		t.Errorf("a draft is scheduled at %v, want %v", l.NextBillingAt, next.Start)
	}
	l.upcomingCanceled()
	if !l.NextBillingAt.IsZero() {
		t.Errorf("a canceled invoice is still scheduled at %v", l.NextBillingAt)
	}
	l.upcomingOpened(next, lifeNow)
	l.renewed(next, l.Next)
	if !l.NextBillingAt.IsZero() || l.CurrentPeriod != next || l.Next != 2 {
		t.Errorf("renewed: %+v", *l)
	}
	l.renewalDeclined(l.period(l.Next))
	if l.CurrentPeriod != l.period(2) {
		t.Errorf("a declined renewal's period is not current: %+v", l.CurrentPeriod)
	}
	l.declined()
	if l.CurrentPeriod != l.period(2) || l.Status != contract.SubscriptionPastDue {
		t.Errorf("another declined invoice moved the period: %+v", *l)
	}
}
