package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// lifecycle is a subscription's status rules over its state: what each
// event makes of it, which changes its status allows, and what falls due
// next. It reads no clock and does no I/O: SubscriptionWorkflow passes the
// time in, and starts, withdraws and waits for the payments it decides on.
type lifecycle contract.SubscriptionState

// subscriptionStarted is a new subscription at at: trialing until its trial ends, or
// pending until its first invoice, due at once, is paid.
func subscriptionStarted(plan contract.Plan, quantity int64, at time.Time) contract.SubscriptionState {
	st := plan.StartState(quantity, at)
	st.Anchor, st.Credit = at, billing.Money{Currency: plan.Amount.Currency}
	if st.Status == contract.SubscriptionTrialing {
		st.TrialEnd = at.AddDate(0, 0, plan.TrialDays)
		st.Anchor = st.TrialEnd
		st.CurrentPeriod = contract.Period{Start: at, End: st.TrialEnd}
		return st
	}
	st.CurrentPeriod = (*lifecycle)(&st).period(0)
	return st
}

// period is the current cycle's nth period.
func (l *lifecycle) period(n int) contract.Period {
	r := l.Plan.Recurrence
	return contract.Period{Start: r.PeriodEnd(l.Anchor, n), End: r.PeriodEnd(l.Anchor, n+1)}
}

// invoicesNext reports whether the next period is to be invoiced.
func (l *lifecycle) invoicesNext() bool {
	switch l.Status {
	case contract.SubscriptionPending, contract.SubscriptionTrialing, contract.SubscriptionActive:
		return !l.CancelAtPeriodEnd
	}
	return false
}

// nextPeriod is the period the next invoice bills, when one is to come.
func (l *lifecycle) nextPeriod() (contract.Period, bool) {
	if !l.invoicesNext() {
		return contract.Period{}, false
	}
	return l.period(l.Next), true
}

// billingAt is when the next invoice falls due, or zero when none is to
// come or it is due by now.
func (l *lifecycle) billingAt(now time.Time) time.Time {
	if p, ok := l.nextPeriod(); ok && p.Start.After(now) {
		return p.Start
	}
	return time.Time{}
}

// endsAt is when a subscription set to cancel at period end ends.
func (l *lifecycle) endsAt() (time.Time, bool) {
	if !l.CancelAtPeriodEnd || l.Status.Ended() {
		return time.Time{}, false
	}
	return l.CurrentPeriod.End, true
}

// describe is the status as the refusals name it.
func (l *lifecycle) describe() string {
	if l.CancelAtPeriodEnd && !l.Status.Ended() {
		return string(l.Status) + " and set to cancel at period end"
	}
	return string(l.Status)
}

// upcomingOpened schedules the upcoming invoice, which bills p, for when
// p starts. While an invoice due now is collected, nothing is scheduled
// yet.
func (l *lifecycle) upcomingOpened(p contract.Period, now time.Time) {
	if p.Start.After(now) {
		l.NextBillingAt = p.Start
	}
}

// upcomingCanceled unschedules the upcoming invoice, which ended unpaid.
func (l *lifecycle) upcomingCanceled() {
	l.NextBillingAt = time.Time{}
}

// renewed starts period n, which the upcoming invoice paid for.
func (l *lifecycle) renewed(p contract.Period, n int) {
	l.CurrentPeriod, l.Next, l.NextBillingAt = p, n+1, time.Time{}
	switch l.Status {
	case contract.SubscriptionPending, contract.SubscriptionTrialing, contract.SubscriptionPastDue:
		l.Status = contract.SubscriptionActive
	}
}

// paid makes a subscription past due active again: any of its invoices
// paid clears it.
func (l *lifecycle) paid() {
	if l.Status == contract.SubscriptionPastDue {
		l.Status = contract.SubscriptionActive
	}
}

// declined turns a subscription whose payment was declined past_due, and
// reports whether it did. A first payment stays pending until it is paid
// or its window closes.
func (l *lifecycle) declined() bool {
	switch l.Status {
	case contract.SubscriptionActive, contract.SubscriptionTrialing:
		l.Status = contract.SubscriptionPastDue
		return true
	}
	return false
}

// renewalDeclined is declined for the upcoming invoice, which bills p: p
// is the period past due, and the current one from now on.
func (l *lifecycle) renewalDeclined(p contract.Period) {
	if l.declined() {
		l.CurrentPeriod = p
	}
}

// expired ends a subscription whose payment was never made, and reports
// whether it did.
func (l *lifecycle) expired(at time.Time) bool {
	if l.Status.Ended() {
		return false
	}
	l.end(contract.SubscriptionExpired, at)
	return true
}

// endIfDue ends a subscription set to cancel at period end once its
// period is over at now, and reports whether it did.
func (l *lifecycle) endIfDue(now time.Time) bool {
	if at, ok := l.endsAt(); ok && !now.Before(at) {
		l.end(contract.SubscriptionCanceled, now)
		return true
	}
	return false
}

func (l *lifecycle) end(status contract.SubscriptionStatus, at time.Time) {
	l.Status, l.EndedAt, l.NextBillingAt = status, at, time.Time{}
}

func (l *lifecycle) canCancel(c contract.Cancel) error {
	switch {
	case l.Status.Ended():
		return fmt.Errorf("the subscription is already %s", l.Status)
	case c.AtPeriodEnd && l.Status == contract.SubscriptionPending:
		return errors.New("a pending subscription has no paid period to finish: cancel it now")
	case c.AtPeriodEnd && l.Status == contract.SubscriptionPaused:
		return errors.New("a paused subscription has no period running: cancel it now")
	}
	return nil
}

// cancel ends the subscription at at, or sets it to end with its period.
func (l *lifecycle) cancel(c contract.Cancel, at time.Time) {
	l.CanceledAt = at
	if c.AtPeriodEnd {
		l.CancelAtPeriodEnd = true
		return
	}
	l.end(contract.SubscriptionCanceled, at)
}

func (l *lifecycle) canReactivate() error {
	if !l.CancelAtPeriodEnd || l.Status.Ended() {
		return fmt.Errorf("only a subscription set to cancel at period end can be reactivated; it is %s", l.describe())
	}
	return nil
}

// reactivate takes back a cancel at period end.
func (l *lifecycle) reactivate() {
	l.CancelAtPeriodEnd, l.CanceledAt = false, time.Time{}
}

func (l *lifecycle) canPause() error {
	if l.Status != contract.SubscriptionActive || l.CancelAtPeriodEnd {
		return fmt.Errorf("only an active subscription can be paused; it is %s", l.describe())
	}
	return nil
}

func (l *lifecycle) pause(at time.Time) {
	l.Status, l.PausedAt = contract.SubscriptionPaused, at
}

func (l *lifecycle) canResume() error {
	if l.Status != contract.SubscriptionPaused {
		return fmt.Errorf("only a paused subscription can be resumed; it is %s", l.describe())
	}
	return nil
}

// resume starts a new cycle at at, its first period due at once.
func (l *lifecycle) resume(at time.Time) {
	l.Status, l.PausedAt = contract.SubscriptionActive, time.Time{}
	l.restartCycle(at)
}

// restartCycle makes anchor the start of the next period billed.
func (l *lifecycle) restartCycle(anchor time.Time) {
	l.Anchor, l.Next = anchor, 0
}

// canChangePrice refuses c while the next period's invoice is being
// collected (collectingNext): until it is paid, the current period is
// still the one before it, and withdrawing a draft no longer stops it.
func (l *lifecycle) canChangePrice(c contract.PriceChange, collectingNext bool) error {
	switch {
	case l.Status != contract.SubscriptionActive && l.Status != contract.SubscriptionTrialing:
		return fmt.Errorf("only an active or trialing subscription can change price; it is %s", l.describe())
	case collectingNext:
		return errors.New("the next period's invoice is being collected: change the price once it is paid")
	case c.Plan.PriceID == l.Plan.PriceID:
		return fmt.Errorf("the subscription is already on price %s", c.Plan.PriceID)
	case c.Plan.Amount.Currency != l.Plan.Amount.Currency:
		return fmt.Errorf("the new price is in %s, the subscription in %s", c.Plan.Amount.Currency, l.Plan.Amount.Currency)
	case l.Status == contract.SubscriptionActive && l.CancelAtPeriodEnd && c.Plan.Recurrence != l.Plan.Recurrence:
		return errors.New("a change of interval starts a new period, and the subscription is set to cancel at period end")
	}
	if err := c.Plan.Validate(); err != nil {
		return err
	}
	if _, err := c.Plan.Total(l.Quantity); err != nil {
		return fmt.Errorf("the new price times the quantity of %d: %v", l.Quantity, err)
	}
	_, err := billing.ParseProrationMode(string(c.Proration))
	return err
}

// prorates reports whether a price change is prorated over the current
// period: a trial has nothing to prorate, and its first period on the new
// plan starts at the trial's end.
func (l *lifecycle) prorates() bool {
	return l.Status == contract.SubscriptionActive
}

// restartsCycle reports whether moving to plan starts a new billing
// cycle: an active subscription's change of interval does.
func (l *lifecycle) restartsCycle(plan contract.Plan) bool {
	return l.prorates() && plan.Recurrence != l.Plan.Recurrence
}

func (l *lifecycle) canChangePaymentMethod(m contract.PaymentMethod) error {
	switch {
	case l.Status.Ended():
		return fmt.Errorf("the subscription is already %s", l.Status)
	case m.Gateway == "" || m.Token == "":
		return errors.New("a payment method names its gateway and its token")
	}
	return nil
}

// canPreview refuses when no invoice is to come: one past due is still
// being retried.
func (l *lifecycle) canPreview() error {
	if l.Status != contract.SubscriptionPastDue && !l.invoicesNext() {
		return fmt.Errorf("no upcoming invoice: the subscription is %s", l.describe())
	}
	return nil
}
