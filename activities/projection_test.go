package activities

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// A payment projected through its life: the draft has only its invoice,
// the opened invoice gets its payment row, and a late, older write changes
// nothing.
func TestProjectPaymentThroughItsLife(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		a := &Activities{Store: s}
		usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }
		p := PaymentProjection{
			Version: 1, PaymentID: uuid.Must(uuid.NewV7()), InvoiceID: uuid.Must(uuid.NewV7()),
			TenantID: shop.ID, CustomerID: bob.ID, Gateway: "sandbox", Status: "scheduled", Amount: usd(2500),
			Lines: []billing.Line{
				{Kind: billing.PeriodCharge, Description: "every month", Amount: usd(3000), Quantity: 1, PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0)},
				{Kind: billing.ProrationCredit, Description: "unused", Amount: usd(-500), Quantity: 1, PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0)},
			},
			PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0), CreatedAt: now, UpdatedAt: now,
		}
		if err := a.ProjectPayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		inv, err := s.InvoiceByID(ctx, p.InvoiceID)
		if err != nil || inv.Status != "draft" || inv.Total != 2500 || inv.AmountDue != 2500 || len(inv.Lines) != 2 {
			t.Fatalf("draft invoice = %+v, %v", inv, err)
		}
		if _, err := s.PaymentByID(ctx, p.PaymentID); err == nil {
			t.Error("a draft already has its payment row")
		}

		opened := p
		opened.Version, opened.Status, opened.UpdatedAt = 3, "retrying", now.Add(1)
		opened.Attempts = []Attempt{{Number: 1, Status: "declined", DeclineCode: "insufficient_funds", At: now}}
		opened.DeclineCode, opened.NextAttemptAt = "insufficient_funds", now.Add(24*3600e9)
		if err := a.ProjectPayment(ctx, opened); err != nil {
			t.Fatal(err)
		}
		late := p
		late.Version, late.Status = 2, "pending"
		if err := a.ProjectPayment(ctx, late); err != nil {
			t.Fatal(err)
		}
		pay, err := s.PaymentByID(ctx, p.PaymentID)
		if err != nil || pay.Status != "retrying" || len(pay.Attempts) != 1 || pay.NextAttemptAt == nil || pay.Version != 3 {
			t.Errorf("payment = %+v, %v; want retrying at version 3 after a late version 2", pay, err)
		}
		if inv, _ := s.InvoiceByID(ctx, p.InvoiceID); inv.Status != "open" {
			t.Errorf("invoice = %s, want open", inv.Status)
		}

		bad := p
		bad.Version, bad.Status = 4, "lost"
		if err := a.ProjectPayment(ctx, bad); err == nil {
			t.Error("an unknown status was projected")
		}
	})
}

// A subscription is written with the invoices it has just raised, so the
// latestInvoiceId it shows is readable at once; the raised rows never
// overwrite what their payments wrote (issue 10, hole 11).
func TestProjectSubscriptionWritesTheInvoicesItRaised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		month, one := "month", 1
		product := &models.Product{TenantID: shop.ID, Name: "Pro", Active: true, Prices: []models.Price{
			{Amount: 3000, Currency: "USD", Type: "recurring", Interval: &month, IntervalCount: &one, Active: true},
		}}
		if err := s.CreateProduct(ctx, product); err != nil {
			t.Fatal(err)
		}
		a := &Activities{Store: s}
		usd := billing.Money{Amount: 3000, Currency: "USD"}
		first := PaymentProjection{
			Version: 7, PaymentID: uuid.Must(uuid.NewV7()), InvoiceID: uuid.Must(uuid.NewV7()),
			TenantID: shop.ID, CustomerID: bob.ID, Gateway: "sandbox", Status: "pending", Amount: usd,
			Lines:       []billing.Line{{Kind: billing.PeriodCharge, Description: "every month", Amount: usd, Quantity: 1, PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0)}},
			PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0), CreatedAt: now, UpdatedAt: now,
		}
		sub := SubscriptionProjection{
			Version: 1, ID: uuid.Must(uuid.NewV7()), TenantID: shop.ID, CustomerID: bob.ID, PriceID: product.Prices[0].ID,
			Quantity: 1, Status: "pending", Amount: usd, Gateway: "sandbox", LatestInvoiceID: first.InvoiceID, CreatedAt: now, UpdatedAt: now,
		}
		first.SubscriptionID = sub.ID
		if err := a.ProjectSubscription(ctx, sub, []PaymentProjection{first}); err != nil {
			t.Fatal(err)
		}
		inv, err := s.InvoiceByID(ctx, first.InvoiceID)
		if err != nil || inv.Status != "open" || inv.AmountDue != 3000 || inv.Version != 0 {
			t.Fatalf("raised invoice = %+v, %v; want open for 3000 at version 0", inv, err)
		}
		if pay, err := s.PaymentByID(ctx, first.PaymentID); err != nil || pay.Status != "pending" {
			t.Fatalf("raised payment = %+v, %v; want pending", pay, err)
		}

		paid := first
		paid.Version, paid.Status, paid.PaidAt = 9, "paid", now
		if err := a.ProjectPayment(ctx, paid); err != nil {
			t.Fatal(err)
		}
		sub.Version++
		if err := a.ProjectSubscription(ctx, sub, []PaymentProjection{first}); err != nil {
			t.Fatal(err)
		}
		if inv, _ := s.InvoiceByID(ctx, first.InvoiceID); inv.Status != "paid" {
			t.Errorf("invoice after a late raised write = %s, want paid", inv.Status)
		}
	})
}

// A subscription's workflow task that raised an invoice, wrote it, and
// died before it completed (its worker was killed: issue 15's chaos run
// found this) is run again under another workflow.Now, so it mints the
// same invoice and payment under other IDs: the same sequence, another
// time. Its write withdraws what the first try wrote, which nothing will
// ever settle: the invoice is void and its payment canceled, with their
// events, and one open invoice is left.
func TestRecordSubscriptionWithdrawsWhatARetriedTaskRaisedFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		card := savedCard(t, s)
		product, _ := monthlyOnClock(t, s, card.TenantID)
		usd := billing.Money{Amount: 3000, Currency: "USD"}
		subID := uuid.Must(uuid.NewV7())
		raise := func(at time.Time) contract.PaymentRecord {
			return contract.PaymentRecord{
				PaymentIdentity: contract.PaymentIdentity{
					PaymentID: contract.DerivedID(at, subID, 1), InvoiceID: contract.DerivedID(at, subID, 2),
					TenantID: card.TenantID, CustomerID: card.CustomerID, SubscriptionID: subID, Gateway: "sandbox",
				},
				UpdatedAt: now,
				PaymentState: contract.PaymentState{Status: contract.PaymentPending, Amount: usd, CreatedAt: now,
					Invoice: contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.PeriodCharge, Description: "every month", Amount: usd, Quantity: 1, PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0)}}, PeriodStart: now, PeriodEnd: now.AddDate(0, 1, 0)}},
			}
		}
		first, retried := raise(now), raise(now.Add(1500*time.Millisecond))
		rec := func(raised contract.PaymentRecord, version int64) contract.SubscriptionRecord {
			return contract.SubscriptionRecord{
				SubscriptionID: subID, TenantID: card.TenantID, CustomerID: card.CustomerID, Gateway: "sandbox", UpdatedAt: now,
				SubscriptionState: contract.SubscriptionState{Status: contract.SubscriptionPending,
					Plan: contract.Plan{PriceID: product.Prices[0].ID, Amount: usd}, Quantity: 1, CreatedAt: now,
					LatestInvoiceID: raised.InvoiceID, Version: version, Minted: 2},
			}
		}
		a := &Activities{Store: s}
		if err := a.RecordSubscription(ctx, rec(first, 1), []contract.PaymentRecord{first}); err != nil {
			t.Fatal(err)
		}
		if err := a.RecordSubscription(ctx, rec(retried, 2), []contract.PaymentRecord{retried}); err != nil {
			t.Fatal(err)
		}
		if inv, err := s.InvoiceByID(ctx, first.InvoiceID); err != nil || inv.Status != string(contract.VoidInvoice) {
			t.Errorf("the first try's invoice = %+v %v, want void", inv, err)
		}
		if pay, err := s.PaymentByID(ctx, first.PaymentID); err != nil || pay.Status != string(contract.PaymentCanceled) {
			t.Errorf("the first try's payment = %+v %v, want canceled", pay, err)
		}
		if inv, err := s.InvoiceByID(ctx, retried.InvoiceID); err != nil || inv.Status != "open" {
			t.Errorf("the retried task's invoice = %+v %v, want open", inv, err)
		}
		if pay, err := s.PaymentByID(ctx, retried.PaymentID); err != nil || pay.Status != "pending" {
			t.Errorf("the retried task's payment = %+v %v, want pending", pay, err)
		}
	})
}

// RecordSubscription writes the row ProjectSubscription wrote for the same
// subscription: runs on either side of recordSubscriptionState
// (workflows/subscription.go) store the same thing.
func TestRecordSubscriptionWritesWhatProjectSubscriptionDid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		card := savedCard(t, s)
		product, clock := monthlyOnClock(t, s, card.TenantID)
		day := func(n int) time.Time { return now.AddDate(0, 0, n) }
		usd := billing.Money{Amount: 3000, Currency: "USD"}
		rec := contract.SubscriptionRecord{
			SubscriptionID: uuid.Must(uuid.NewV7()), TenantID: card.TenantID, CustomerID: card.CustomerID,
			PaymentMethodID: card.ID, Gateway: "sandbox", TestClockID: clock.ID, UpdatedAt: day(3),
			SubscriptionState: contract.SubscriptionState{
				Status: contract.SubscriptionPastDue, Plan: contract.Plan{PriceID: product.Prices[0].ID, Amount: usd}, Quantity: 2,
				CreatedAt: now, CurrentPeriod: contract.Period{Start: day(1), End: day(31)}, TrialEnd: day(1),
				CancelAtPeriodEnd: true, CanceledAt: day(2), PausedAt: day(3), EndedAt: day(31),
				LatestInvoiceID: uuid.Must(uuid.NewV7()), ClockTime: day(3), Version: 5,
				NextBillingAt: day(31), Anchor: day(1), Next: 1, Credit: usd, Minted: 4,
			},
		}
		proj := SubscriptionProjection{
			Version: 5, ID: uuid.Must(uuid.NewV7()), TenantID: card.TenantID, CustomerID: card.CustomerID,
			PriceID: product.Prices[0].ID, Quantity: 2, Status: "past_due", Amount: usd, PaymentMethodID: card.ID,
			Gateway: "sandbox", TestClockID: clock.ID, CurrentPeriodStart: day(1), CurrentPeriodEnd: day(31),
			TrialEnd: day(1), CancelAtPeriodEnd: true, CanceledAt: day(2), PausedAt: day(3), EndedAt: day(31),
			LatestInvoiceID: rec.LatestInvoiceID, ClockTime: day(3), CreatedAt: now, UpdatedAt: day(3),
		}
		a := &Activities{Store: s}
		if err := a.ProjectSubscription(ctx, proj, nil); err != nil {
			t.Fatal(err)
		}
		if err := a.RecordSubscription(ctx, rec, nil); err != nil {
			t.Fatal(err)
		}
		old, err := s.SubscriptionByID(ctx, proj.ID)
		if err != nil {
			t.Fatal(err)
		}
		recorded, err := s.SubscriptionByID(ctx, rec.SubscriptionID)
		if err != nil {
			t.Fatal(err)
		}
		recorded.ID = old.ID
		if !reflect.DeepEqual(recorded, old) {
			t.Errorf("RecordSubscription wrote\n%+v\nProjectSubscription wrote\n%+v", recorded, old)
		}
		if old.PaymentMethodID == nil || old.TestClockID == nil || old.EndedAt == nil || old.ClockTime == nil {
			t.Errorf("a field was left empty, so it was not compared: %+v", old)
		}
	})
}

// RecordPayment writes the rows ProjectPayment wrote for the same payment,
// at every status: runs on either side of recordPaymentState
// (workflows/payment.go) store the same thing.
func TestRecordPaymentWritesWhatProjectPaymentDid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		card := savedCard(t, s)
		product, clock := monthlyOnClock(t, s, card.TenantID)
		usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }
		a := &Activities{Store: s}
		sub := contract.SubscriptionRecord{
			SubscriptionID: uuid.Must(uuid.NewV7()), TenantID: card.TenantID, CustomerID: card.CustomerID, Gateway: "sandbox", UpdatedAt: now,
			SubscriptionState: contract.SubscriptionState{
				Status: contract.SubscriptionActive, Plan: contract.Plan{PriceID: product.Prices[0].ID, Amount: usd(3000)}, Quantity: 1, CreatedAt: now, Version: 1,
			},
		}
		if err := a.RecordSubscription(ctx, sub, nil); err != nil {
			t.Fatal(err)
		}
		day := func(n int) time.Time { return now.AddDate(0, 0, n) }
		invoice := contract.InvoiceDraft{
			Lines: []billing.Line{
				{Kind: billing.PeriodCharge, Description: "every month", Amount: usd(3000), Quantity: 1, PeriodStart: day(1), PeriodEnd: day(31)},
				{Kind: billing.ProrationCredit, Description: "unused", Amount: usd(-500), Quantity: 1, PeriodStart: day(1), PeriodEnd: day(31)},
			},
			Credit: usd(500), PeriodStart: day(1), PeriodEnd: day(31),
		}
		attempts := []contract.Attempt{
			{Number: 1, Status: "declined", Reference: "ch_1", DeclineCode: "insufficient_funds", At: day(1)},
			{Number: 2, Status: "refunded", Reference: "ch_2", At: day(2), RefundReference: "re_2"},
		}
		for _, tc := range []struct {
			status   contract.PaymentStatus
			attempts []contract.Attempt
		}{
			{contract.PaymentScheduled, nil}, {contract.PaymentPending, nil}, {contract.PaymentRetrying, attempts[:1]},
			{contract.PaymentPaid, attempts}, {contract.PaymentExpired, attempts}, {contract.PaymentFailed, attempts[:1]},
			{contract.PaymentCanceled, nil}, {contract.PaymentCanceled, attempts},
		} {
			rec := contract.PaymentRecord{
				PaymentIdentity: contract.PaymentIdentity{
					PaymentID: uuid.Must(uuid.NewV7()), InvoiceID: uuid.Must(uuid.NewV7()), TenantID: card.TenantID, CustomerID: card.CustomerID,
					SubscriptionID: sub.SubscriptionID, PriceID: product.Prices[0].ID, PaymentMethodID: card.ID, Gateway: "sandbox",
				},
				TestClockID: clock.ID, UpdatedAt: day(3),
				PaymentState: contract.PaymentState{
					Status: tc.status, Amount: usd(2000), Attempts: len(tc.attempts), Reference: "ch_2", ApprovalURL: "https://pay.example/ch_2",
					DeclineCode: "insufficient_funds", NextAttemptAt: day(4), PaidAt: day(2), AttemptLog: tc.attempts, Invoice: invoice,
					CreatedAt: now, ClockTime: day(3), Version: 5,
				},
			}
			proj := PaymentProjection{
				Version: 5, PaymentID: uuid.Must(uuid.NewV7()), InvoiceID: uuid.Must(uuid.NewV7()), TenantID: card.TenantID, CustomerID: card.CustomerID,
				SubscriptionID: sub.SubscriptionID, PriceID: product.Prices[0].ID, PaymentMethodID: card.ID, Gateway: "sandbox",
				Status: string(tc.status), Amount: usd(2000), Attempts: tc.attempts, ApprovalURL: "https://pay.example/ch_2",
				DeclineCode: "insufficient_funds", NextAttemptAt: day(4), PaidAt: day(2), Lines: invoice.Lines, Credit: invoice.Credit,
				PeriodStart: day(1), PeriodEnd: day(31), TestClockID: clock.ID, ClockTime: day(3), CreatedAt: now, UpdatedAt: day(3),
			}
			if err := a.ProjectPayment(ctx, proj); err != nil {
				t.Fatal(err)
			}
			if err := a.RecordPayment(ctx, rec); err != nil {
				t.Fatal(err)
			}
			oldInv, err := s.InvoiceByID(ctx, proj.InvoiceID)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := s.InvoiceByID(ctx, rec.InvoiceID)
			if err != nil {
				t.Fatal(err)
			}
			inv.ID, inv.PaymentID = oldInv.ID, oldInv.PaymentID
			if !reflect.DeepEqual(inv, oldInv) {
				t.Errorf("%s: RecordPayment wrote the invoice\n%+v\nProjectPayment wrote\n%+v", tc.status, inv, oldInv)
			}
			old, oldErr := s.PaymentByID(ctx, proj.PaymentID)
			pay, err := s.PaymentByID(ctx, rec.PaymentID)
			if (err == nil) != (oldErr == nil) {
				t.Errorf("%s: RecordPayment wrote a payment: %v, ProjectPayment did: %v", tc.status, err == nil, oldErr == nil)
				continue
			}
			if err != nil {
				continue
			}
			pay.ID, pay.InvoiceID = old.ID, old.InvoiceID
			if !reflect.DeepEqual(pay, old) {
				t.Errorf("%s: RecordPayment wrote the payment\n%+v\nProjectPayment wrote\n%+v", tc.status, pay, old)
			}
			if tc.status == contract.PaymentPaid && (old.SubscriptionID == nil || old.PriceID == nil || old.PaymentMethodID == nil || old.TestClockID == nil ||
				old.NextAttemptAt == nil || old.PaidAt == nil || old.ClockTime == nil || len(old.Attempts) != 2 || oldInv.PeriodStart == nil) {
				t.Errorf("a field was left empty, so it was not compared: %+v, %+v", old, oldInv)
			}
		}
	})
}

// monthlyOnClock stores a tenant's monthly 30 USD price and a test clock
// frozen at now, for the rows that name them.
func monthlyOnClock(t *testing.T, s *models.Store, tenant uuid.UUID) (*models.Product, *models.TestClock) {
	t.Helper()
	ctx := context.Background()
	month, one := "month", 1
	product := &models.Product{TenantID: tenant, Name: "Pro", Active: true, Prices: []models.Price{
		{Amount: 3000, Currency: "USD", Type: "recurring", Interval: &month, IntervalCount: &one, Active: true},
	}}
	if err := s.CreateProduct(ctx, product); err != nil {
		t.Fatal(err)
	}
	clock := &models.TestClock{TenantID: tenant, FrozenTime: now, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateTestClock(ctx, clock); err != nil {
		t.Fatal(err)
	}
	return product, clock
}
