package models

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

func typesOf(changes []change) []string {
	out := []string{}
	for _, c := range changes {
		out = append(out, c.typ)
	}
	return out
}

func TestSubscriptionTransitions(t *testing.T) {
	day := func(d int) *time.Time { return ptr(time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC)) }
	sub := func(status string, start *time.Time) *Subscription {
		return &Subscription{Status: status, CurrentPeriodStart: start, PriceID: uuid.Nil}
	}
	for name, tt := range map[string]struct {
		old, new *Subscription
		want     []string
	}{
		"created pending":          {nil, sub("pending", nil), []string{EventSubscriptionCreated}},
		"created active at once":   {nil, sub("active", day(1)), []string{EventSubscriptionCreated, EventSubscriptionActivated}},
		"created trialing":         {nil, sub("trialing", day(1)), []string{EventSubscriptionCreated, EventSubscriptionTrialing}},
		"trial ends paid":          {sub("trialing", day(1)), sub("active", day(15)), []string{EventSubscriptionActivated}},
		"renewal paid":             {sub("active", day(1)), sub("active", day(31)), []string{EventSubscriptionRenewed}},
		"renewal declined":         {sub("active", day(1)), sub("past_due", day(1)), []string{EventSubscriptionPastDue}},
		"recovered into a period":  {sub("past_due", day(1)), sub("active", day(31)), []string{EventSubscriptionRenewed}},
		"nothing that shows":       {sub("active", day(1)), sub("active", day(1)), []string{}},
		"first payment never made": {sub("pending", nil), sub("expired", nil), []string{EventSubscriptionExpired}},
	} {
		if got := typesOf(subscriptionChanges(tt.old, tt.new)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", name, got, tt.want)
		}
	}
	// A resume is keyed by the pause it ends, so that each pause resumes once.
	paused := &Subscription{Status: "paused", PausedAt: day(5)}
	resumed := subscriptionChanges(paused, &Subscription{Status: "active"})
	if len(resumed) != 1 || resumed[0].typ != EventSubscriptionResumed || resumed[0].again != unixKey(day(5)) {
		t.Errorf("resume = %+v", resumed)
	}
}

func TestInvoiceAndPaymentTransitions(t *testing.T) {
	for name, tt := range map[string]struct {
		old, new *Invoice
		want     []string
	}{
		"draft":               {nil, &Invoice{Status: "draft"}, []string{EventInvoiceCreated}},
		"opened":              {&Invoice{Status: "draft"}, &Invoice{Status: "open"}, []string{EventInvoiceFinalized}},
		"paid at once":        {nil, &Invoice{Status: "paid"}, []string{EventInvoiceCreated, EventInvoiceFinalized, EventInvoicePaid}},
		"draft withdrawn":     {&Invoice{Status: "draft"}, &Invoice{Status: "void"}, []string{EventInvoiceVoided}},
		"open, then unpaid":   {&Invoice{Status: "open"}, &Invoice{Status: "uncollectible"}, []string{EventInvoiceUncollectible}},
		"open, written again": {&Invoice{Status: "open"}, &Invoice{Status: "open"}, []string{}},
	} {
		if got := typesOf(invoiceChanges(tt.old, tt.new)); !slices.Equal(got, tt.want) {
			t.Errorf("invoice %s: %v, want %v", name, got, tt.want)
		}
	}
	declined := func(n ...int) []PaymentAttempt {
		var out []PaymentAttempt
		for _, i := range n {
			out = append(out, PaymentAttempt{Number: i, Status: "declined"})
		}
		return out
	}
	for name, tt := range map[string]struct {
		old, new *Payment
		want     []string
	}{
		"a purchase starts":      {nil, &Payment{Status: "pending"}, []string{EventPaymentPending}},
		"a renewal paid at once": {nil, &Payment{Status: "paid"}, []string{EventPaymentSucceeded}},
		"declined at once":       {nil, &Payment{Status: "retrying", Attempts: declined(1)}, []string{EventPaymentFailed}},
		"declined again":         {&Payment{Status: "retrying", Attempts: declined(1)}, &Payment{Status: "retrying", Attempts: declined(1, 2)}, []string{EventPaymentFailed}},
		"retries exhausted":      {&Payment{Status: "retrying", Attempts: declined(1, 2)}, &Payment{Status: "expired", Attempts: declined(1, 2, 3)}, []string{EventPaymentExpired, EventPaymentFailed}},
		"withdrawn":              {&Payment{Status: "pending"}, &Payment{Status: "canceled"}, []string{EventPaymentCanceled}},
	} {
		if got := typesOf(paymentChanges(tt.old, tt.new)); !slices.Equal(got, tt.want) {
			t.Errorf("payment %s: %v, want %v", name, got, tt.want)
		}
	}
}
