package workflows

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
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
	rows := func(before bool) (rows []*models.Subscription, payments []*models.Payment, invoices []*models.Invoice) {
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
			rows = append(rows, models.SubscriptionRow(p.Record()))
		}
		for _, r := range st.proj.subscriptions {
			rows = append(rows, models.SubscriptionRow(r))
		}
		for _, r := range st.proj.payments {
			if r.Version > 0 {
				continue // the payment's own write, not the subscription's
			}
			pay, inv, err := models.PaymentRows(r)
			if err != nil {
				t.Fatal(err)
			}
			invoices = append(invoices, inv)
			if pay != nil {
				payments = append(payments, pay)
			}
		}
		return rows, payments, invoices
	}
	recorded, recordedPayments, recordedInvoices := rows(false)
	projected, projectedPayments, projectedInvoices := rows(true)
	// The invoices a subscription raises are written with it: the same
	// rows whether they went to RecordSubscription or ProjectSubscription.
	if len(recordedInvoices) == 0 || !reflect.DeepEqual(recordedPayments, projectedPayments) || !reflect.DeepEqual(recordedInvoices, projectedInvoices) {
		t.Errorf("raised %d payments and %d invoices recorded, %d and %d projected; want the same rows", len(recordedPayments), len(recordedInvoices), len(projectedPayments), len(projectedInvoices))
		for i := range min(len(recordedInvoices), len(projectedInvoices)) {
			if !reflect.DeepEqual(recordedInvoices[i], projectedInvoices[i]) {
				t.Errorf("invoice %d recorded\n%+v\nprojected\n%+v", i, recordedInvoices[i], projectedInvoices[i])
			}
		}
	}
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

// A payment run on recordPaymentState writes with RecordPayment; a run
// begun before writes with ProjectPayment; and at the same points, the two
// write the same rows: a draft that falls due, a decline, a pending charge
// approved, on the server's time and on a test clock.
func TestPaymentRecordsTheRowsItProjected(t *testing.T) {
	start := time.Date(2030, 1, 31, 9, 30, 0, 0, time.UTC)
	in := paymentInput(sandbox.TokenOK)
	in.PriceID, in.PaymentMethodID, in.DueAt = uuid.New(), uuid.New(), start.Add(time.Hour)
	in.Dunning = billing.DunningSchedule{time.Hour}
	onClock := in
	onClock.TestClock = &contract.TestClock{ID: uuid.New(), Now: start}
	type rows struct {
		pay *models.Payment
		inv *models.Invoice
	}
	run := func(in contract.PaymentInput, before bool) (written []rows) {
		env, _, proj := newPaymentEnv(t)
		env.SetStartTime(start)
		if before {
			env.OnGetVersion(recordPaymentState, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		var a *activities.Activities
		declined := temporal.NewNonRetryableApplicationError("declined", activities.ErrTypeDeclined, nil, gateways.CodeInsufficientFunds)
		env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{}, declined).Once()
		env.OnActivity(a.Charge, mock.Anything, mock.Anything).Return(activities.ChargeResult{Pending: true, Reference: "ch_2", ApprovalURL: "https://pay.example/ch_2"}, nil).Once()
		env.OnActivity(a.LookupCharge, mock.Anything, mock.Anything).Return(activities.LookupResult{Status: gateways.Succeeded}, nil).Once()
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(contract.GatewayEventSignal, contract.GatewayEvent{Reference: "ch_2", Succeeded: true})
		}, 3*time.Hour)
		if in.TestClock != nil { // to the first attempt, then to the second
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.ClockAdvanceSignal, start.Add(90*time.Minute)) }, time.Minute)
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.ClockAdvanceSignal, start.Add(150*time.Minute)) }, 2*time.Minute)
		}
		env.ExecuteWorkflow(PaymentWorkflow, in)
		if got := finalState(t, env); got.Status != contract.PaymentPaid || got.Attempts != 2 {
			t.Fatalf("payment = %+v, want paid after two attempts", got)
		}
		if projected := len(proj.projectedPayments); (projected > 0) != before || projected > 0 && projected != len(proj.payments) {
			t.Errorf("begun before the patch: %v; %d of %d writes projected; want only ProjectPayment before it, only RecordPayment on it", before, projected, len(proj.payments))
		}
		for _, r := range proj.payments {
			pay, inv, err := models.PaymentRows(r)
			if err != nil {
				t.Fatal(err)
			}
			written = append(written, rows{pay, inv})
		}
		return written
	}
	for name, in := range map[string]contract.PaymentInput{"server time": in, "test clock": onClock} {
		recorded, projected := run(in, false), run(in, true)
		if len(recorded) < 4 || !reflect.DeepEqual(recorded, projected) {
			t.Errorf("%s: recorded %d writes, projected %d; want the same rows, at least 4", name, len(recorded), len(projected))
			for i := range min(len(recorded), len(projected)) {
				if !reflect.DeepEqual(recorded[i], projected[i]) {
					t.Errorf("write %d recorded\n%+v %+v\nprojected\n%+v %+v", i, recorded[i].pay, recorded[i].inv, projected[i].pay, projected[i].inv)
				}
			}
			continue
		}
		first, last := recorded[0], recorded[len(recorded)-1]
		switch {
		case first.pay != nil || first.inv.Status != string(contract.DraftInvoice) || last.pay == nil || last.pay.Status != string(contract.PaymentPaid) || len(last.pay.Attempts) != 2:
			t.Errorf("%s: first write %+v %+v, last %+v; want a draft, then paid after two attempts", name, first.pay, first.inv, last.pay)
		case (in.TestClock != nil) != (last.pay.ClockTime != nil):
			t.Errorf("%s: the last write's clock time is %v", name, last.pay.ClockTime)
		}
	}
}
