package activities

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// storedPayment writes a purchase of 1500 USD in status, charged under
// reference, last written at updated.
func storedPayment(t *testing.T, s *models.Store, shop, bob *models.Client, status, reference string, updated time.Time) *models.Payment {
	t.Helper()
	inv := &models.Invoice{ID: uuid.Must(uuid.NewV7()), TenantID: shop.ID, CustomerID: bob.ID, Status: "open", Currency: "USD", Total: 1500, AmountDue: 1500,
		Lines:   []billing.Line{{Kind: billing.OneTime, Description: "Guide", Amount: billing.Money{Amount: 1500, Currency: "USD"}, Quantity: 1}},
		Version: 1, CreatedAt: updated, UpdatedAt: updated}
	attempt := "pending"
	if status == "paid" {
		attempt = "succeeded"
	}
	p := &models.Payment{ID: uuid.Must(uuid.NewV7()), TenantID: shop.ID, CustomerID: bob.ID, InvoiceID: inv.ID, Amount: 1500, Currency: "USD",
		Gateway: sandbox.Name, Status: status, Attempts: []models.PaymentAttempt{{Number: 1, Status: attempt, Reference: reference, At: updated}},
		Version: 1, CreatedAt: updated, UpdatedAt: updated}
	if _, err := s.ProjectPayment(context.Background(), p, inv); err != nil {
		t.Fatal(err)
	}
	return p
}

// A success that reached an expired payment is refunded, once; one that
// reached a paid payment is left; each event is then delivered.
func TestApplyLateSuccess(t *testing.T) {
	openEach(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		a, sb := sandboxActivitiesOn(t, sandbox.NewDatabaseLedger(s))
		a.Store = s
		charged := func(key string) string {
			c, err := sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: key, Amount: billing.Money{Amount: 1500, Currency: "USD"}, Token: sandbox.TokenOK, CustomerID: bob.ID.String()})
			if err != nil {
				t.Fatal(err)
			}
			return c.Reference
		}
		long := time.Now().UTC().Add(-time.Hour)
		expiredRef, paidRef, extraRef := charged("late/1"), charged("paid/1"), charged("paid/2")
		expired := storedPayment(t, s, shop, bob, "expired", expiredRef, long)
		paid := storedPayment(t, s, shop, bob, "paid", paidRef, long)
		for _, e := range []models.WebhookEvent{
			{ID: "evt_late", Gateway: sandbox.Name, Kind: string(gateways.EventChargeSucceeded), PaymentID: &expired.ID, Reference: expiredRef, ReceivedAt: long},
			{ID: "evt_paid", Gateway: sandbox.Name, Kind: string(gateways.EventChargeSucceeded), PaymentID: &paid.ID, Reference: paidRef, ReceivedAt: long},
			{ID: "evt_extra", Gateway: sandbox.Name, Kind: string(gateways.EventChargeSucceeded), PaymentID: &paid.ID, Reference: extraRef, ReceivedAt: long},
		} {
			if _, _, err := s.RecordWebhookEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		todo, err := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC()})
		if err != nil || len(todo.LateSuccesses) != 3 {
			t.Fatalf("FindReconcilable = %+v, %v; want the three events", todo, err)
		}
		results := map[string]ApplyLateSuccessResult{}
		for _, e := range todo.LateSuccesses {
			if results[e.EventID], err = a.ApplyLateSuccess(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if r := results["evt_late"]; r.Action != contract.ActionRefunded || r.TenantID != shop.ID {
			t.Errorf("the late success = %+v, want it refunded", r)
		}
		if r := results["evt_paid"]; r.Action != contract.ActionNone {
			t.Errorf("the paid payment's success = %+v, want nothing done", r)
		}
		if r := results["evt_extra"]; r.Action != contract.ActionRefunded {
			t.Errorf("a second charge of a paid payment = %+v, want it refunded", r)
		}
		if c, err := sb.Find(ctx, "late/1"); err != nil || c.Status != gateways.Succeeded {
			t.Fatalf("Find = %+v, %v", c, err)
		}
		charges, _ := sb.Charges(ctx)
		refunded := 0
		for _, c := range charges {
			if c.RefundKey != "" {
				refunded++
				if c.Key != "late/1" && c.Key != "paid/2" {
					t.Errorf("refunded %s, want late/1 and paid/2 only", c.Key)
				}
			}
		}
		if refunded != 2 {
			t.Errorf("%d charges refunded, want 2: the late one and the extra one", refunded)
		}
		if again, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC()}); len(again.LateSuccesses) != 0 {
			t.Errorf("after the run, %d events are still undelivered", len(again.LateSuccesses))
		}
		// A rerun of the same event refunds nothing more.
		if r, err := a.ApplyLateSuccess(ctx, todo.LateSuccesses[0]); err != nil || r.Action != contract.ActionRefunded && r.Action != contract.ActionNone {
			t.Errorf("a rerun = %+v, %v", r, err)
		}
		charges, _ = sb.Charges(ctx)
		for _, c := range charges {
			if c.Key == "late/1" && c.RefundKey != "reconcile/evt_late" {
				t.Errorf("the late charge's refund key = %q", c.RefundKey)
			}
		}
	})
}

// Payments and refunds left pending long past their windows are listed.
func TestFindReconcilableStale(t *testing.T) {
	openEach(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		a := &Activities{Store: s}
		now := time.Now().UTC()
		stale := storedPayment(t, s, shop, bob, "pending", "sbx_1", now.Add(-stalePayment-time.Minute))
		storedPayment(t, s, shop, bob, "pending", "sbx_2", now.Add(-time.Minute))
		todo, err := a.FindReconcilable(ctx, FindReconcilableInput{Now: now})
		if err != nil || len(todo.StalePayments) != 1 || todo.StalePayments[0].PaymentID != stale.ID || todo.StalePayments[0].Reference != "sbx_1" {
			t.Errorf("StalePayments = %+v, %v; want the one past its window", todo.StalePayments, err)
		}

		// Reported, it is left out for a day, so that one stale payment is
		// not reported at every run nor hides the others.
		report := contract.Finding{ID: uuid.Must(uuid.NewV7()), RunID: "r", TenantID: &shop.ID, Kind: contract.FindingStalePayment,
			PaymentID: &stale.ID, Action: contract.ActionReported, At: now}
		if err := a.RecordFindings(ctx, RecordFindingsInput{Findings: []contract.Finding{report}}); err != nil {
			t.Fatal(err)
		}
		if todo, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: now.Add(time.Hour)}); len(todo.StalePayments) != 0 {
			t.Errorf("an hour after its report, StalePayments = %+v, want none", todo.StalePayments)
		}
		later, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: now.Add(25 * time.Hour)})
		if !slices.ContainsFunc(later.StalePayments, func(p StalePayment) bool { return p.PaymentID == stale.ID }) {
			t.Errorf("a day after its report, StalePayments = %+v, want it again", later.StalePayments)
		}
	})
}
