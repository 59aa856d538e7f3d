package workflows

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// A record's key changes exactly when its row does (less its version and
// update time): a change the row shows is written, and a write changes
// more than the version.
func TestRowKeyIsWhatTheRowShows(t *testing.T) {
	at := time.Date(2030, 1, 31, 9, 30, 0, 0, time.UTC)
	day := func(n int) time.Time { return at.AddDate(0, 0, n) }
	full := contract.SubscriptionRecord{
		SubscriptionID: uuid.New(), TenantID: uuid.New(), CustomerID: uuid.New(), PaymentMethodID: uuid.New(),
		Gateway: sandbox.Name, TestClockID: uuid.New(), UpdatedAt: day(3),
		SubscriptionState: contract.SubscriptionState{
			Status: contract.SubscriptionPastDue, Plan: contract.Plan{
				PriceID: uuid.New(), Amount: usd(1000), Recurrence: billing.Recurrence{Interval: billing.Month, Count: 1},
				TrialDays: 7, Dunning: billing.DefaultDunning,
			},
			Quantity: 2, CreatedAt: at, CurrentPeriod: contract.Period{Start: day(7), End: day(38)}, TrialEnd: day(7),
			CancelAtPeriodEnd: true, CanceledAt: day(8), PausedAt: day(9), EndedAt: day(38), LatestInvoiceID: uuid.New(),
			NextBillingAt: day(38), ClockTime: day(9), Anchor: day(7), Next: 1, Credit: usd(300),
			PendingLines: []billing.Line{{Kind: billing.PeriodCharge, Amount: usd(1000), Quantity: 1}}, Minted: 4, Version: 5,
		},
	}
	row := func(r contract.SubscriptionRecord) *models.Subscription {
		sub := models.SubscriptionRow(r)
		sub.Version, sub.UpdatedAt = 0, time.Time{}
		return sub
	}
	changed := full
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Kind() == reflect.Struct && v.Type() != reflect.TypeFor[time.Time]() {
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
			return
		}
		if v.IsZero() {
			t.Errorf("%s is not set, so it is not checked", path)
			return
		}
		kept := reflect.ValueOf(v.Interface())
		v.SetZero()
		rowChanged, keyChanged := !reflect.DeepEqual(row(changed), row(full)), keyOf(changed) != keyOf(full)
		if rowChanged != keyChanged {
			t.Errorf("without %s, the row changes: %v, its key changes: %v", path, rowChanged, keyChanged)
		}
		v.Set(kept)
	}
	walk("record", reflect.ValueOf(&changed).Elem())
}

// A run on recordSubscriptionState writes its row with RecordSubscription;
// a run begun before writes it with ProjectSubscription; and at the same
// points, the two write the same rows.
func TestSubscriptionRecordsTheRowsItProjected(t *testing.T) {
	start := time.Date(2030, 1, 31, 9, 30, 0, 0, time.UTC)
	in := contract.SubscriptionInput{SubscriptionID: uuid.Must(uuid.NewV7()), TenantID: uuid.New(), CustomerID: uuid.New(), Plan: monthly(1000)}
	in.Plan.TrialDays = 7
	dearer := monthly(2000)
	rows := func(before bool) (rows []*models.Subscription) {
		st := newSubscriptionTest(t, sandbox.TokenDeclineAfter(1), in.Plan)
		st.env.SetStartTime(start)
		st.in.SubscriptionID, st.in.TenantID, st.in.CustomerID = in.SubscriptionID, in.TenantID, in.CustomerID
		if before {
			st.env.OnGetVersion(recordSubscriptionState, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		renewal := start.AddDate(0, 0, 7).AddDate(0, 1, 0)
		after := func(d time.Duration, fn func()) { st.at(renewal.Sub(start)+d, fn) }
		after(time.Hour, func() {
			st.mustUpdate(contract.ChangePaymentMethodUpdate, func(contract.SubscriptionState) {}, contract.PaymentMethod{Gateway: sandbox.Name, Token: sandbox.TokenOK})
		})
		after(2*time.Hour, func() {
			st.mustUpdate(contract.ChangePriceUpdate, func(contract.SubscriptionState) {}, contract.PriceChange{Plan: dearer, Proration: billing.CreateProrations})
		})
		after(3*day, func() { st.mustUpdate(contract.PauseUpdate, func(contract.SubscriptionState) {}) })
		after(10*day, func() { st.mustUpdate(contract.ResumeUpdate, func(contract.SubscriptionState) {}) })
		after(20*day, func() {
			st.mustUpdate(contract.CancelUpdate, func(contract.SubscriptionState) {}, contract.Cancel{AtPeriodEnd: true})
		})
		st.run()
		if recorded, projected := len(st.proj.subscriptions), len(st.proj.projected); (projected > 0) != before || (recorded > 0) == before {
			t.Errorf("begun before the patch: %v; %d rows recorded, %d projected; want only ProjectSubscription before it, only RecordSubscription on it", before, recorded, projected)
		}
		for _, p := range st.proj.projected {
			rows = append(rows, p.Row())
		}
		for _, r := range st.proj.subscriptions {
			rows = append(rows, models.SubscriptionRow(r))
		}
		return rows
	}
	recorded, projected := rows(false), rows(true)
	if len(recorded) < 8 || !reflect.DeepEqual(recorded, projected) {
		t.Errorf("recorded %d rows, projected %d; want the same rows, at least 8", len(recorded), len(projected))
		for i := range min(len(recorded), len(projected)) {
			if !reflect.DeepEqual(recorded[i], projected[i]) {
				t.Errorf("row %d recorded\n%+v\nprojected\n%+v", i, recorded[i], projected[i])
			}
		}
	}
	if last := recorded[len(recorded)-1]; last.Status != string(contract.SubscriptionCanceled) || last.PriceID != dearer.PriceID {
		t.Errorf("last row %+v, want canceled on the new price", last)
	}
}
