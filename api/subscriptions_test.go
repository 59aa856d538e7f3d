package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// The answers that show a subscription not (or not only) as stored: 202
// for one whose workflow has not written it yet, and ?consistent=true with
// the workflow's live state. Times render in UTC.
func TestSubscriptionBodiesFromWorkflowState(t *testing.T) {
	ids := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	at := time.Date(2026, 3, 1, 17, 30, 0, 123456789, time.FixedZone("IST", 19800))
	trial := contract.Plan{PriceID: ids(4), Amount: billing.Money{Amount: 990, Currency: "USD"}, TrialDays: 7}
	started := startedSubscription(contract.SubscriptionInput{
		SubscriptionID: ids(1), TenantID: ids(2), CustomerID: ids(3), Plan: trial, Quantity: 2,
		PaymentMethodID: ids(5), Gateway: "sandbox", TestClock: &contract.TestClock{ID: ids(6)},
	}, at)
	stored := *started
	stored.CreatedAt = at.Add(-time.Hour)
	stored.SetState(contract.SubscriptionState{
		Status: contract.SubscriptionPaused, Plan: contract.Plan{PriceID: ids(7), Amount: billing.Money{Amount: 12, Currency: "EUR"}},
		Quantity: 3, CreatedAt: at, CurrentPeriod: contract.Period{Start: at, End: at.AddDate(0, 1, 0)}, TrialEnd: at,
		CancelAtPeriodEnd: true, CanceledAt: at, PausedAt: at, LatestInvoiceID: ids(8), ClockTime: at, Version: 9,
	})
	for _, tc := range []struct {
		name string
		sub  *models.Subscription
		want string
	}{
		{"accepted", started, `{"id":"00000000-0000-0000-0000-000000000001","tenantId":"00000000-0000-0000-0000-000000000002","customerId":"00000000-0000-0000-0000-000000000003","priceId":"00000000-0000-0000-0000-000000000004","quantity":2,"status":"trialing","amount":990,"currency":"USD","paymentMethodId":"00000000-0000-0000-0000-000000000005","gateway":"sandbox","testClockId":"00000000-0000-0000-0000-000000000006","currentPeriodStart":null,"currentPeriodEnd":null,"trialEnd":null,"cancelAtPeriodEnd":false,"canceledAt":null,"pausedAt":null,"endedAt":null,"latestInvoiceId":null,"version":0,"createdAt":"2026-03-01T12:00:00.123456789Z","updatedAt":"2026-03-01T12:00:00.123456789Z"}`},
		{"live", &stored, `{"id":"00000000-0000-0000-0000-000000000001","tenantId":"00000000-0000-0000-0000-000000000002","customerId":"00000000-0000-0000-0000-000000000003","priceId":"00000000-0000-0000-0000-000000000007","quantity":3,"status":"paused","amount":12,"currency":"EUR","paymentMethodId":"00000000-0000-0000-0000-000000000005","gateway":"sandbox","testClockId":"00000000-0000-0000-0000-000000000006","currentPeriodStart":"2026-03-01T12:00:00.123456789Z","currentPeriodEnd":"2026-04-01T12:00:00.123456789Z","trialEnd":"2026-03-01T12:00:00.123456789Z","cancelAtPeriodEnd":true,"canceledAt":"2026-03-01T12:00:00.123456789Z","pausedAt":"2026-03-01T12:00:00.123456789Z","endedAt":null,"latestInvoiceId":"00000000-0000-0000-0000-000000000008","version":9,"createdAt":"2026-03-01T11:00:00.123456789Z","updatedAt":"2026-03-01T12:00:00.123456789Z"}`},
	} {
		got, err := json.Marshal(viewSubscription(tc.sub))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
