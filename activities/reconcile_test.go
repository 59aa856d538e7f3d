package activities

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/storetest"
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
	storetest.Each(t, func(t *testing.T, s *models.Store) {
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
		results := map[string]Applied{}
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
	storetest.Each(t, func(t *testing.T, s *models.Store) {
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
		if byHand, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: now, PendingAge: time.Second}); len(byHand.StalePayments) != 2 {
			t.Errorf("a run by hand taking payments pending a second found %d, want both", len(byHand.StalePayments))
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

// listingSandbox is the sandbox with the refunds a gateway would list of
// each charge, some made outside billgate: the sandbox itself makes only
// billgate's.
type listingSandbox struct {
	*sandbox.Sandbox
	refunds map[string][]gateways.ListedRefund // by charge reference
}

func (g listingSandbox) ListRefunds(_ context.Context, reference string) ([]gateways.ListedRefund, error) {
	return g.refunds[reference], nil
}

// A refund report records the refunds made at the gateway, once, and none
// of billgate's own; one still pending keeps the report for a later run.
func TestApplyRefundReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		_, sb := sandboxActivitiesOn(t, sandbox.NewDatabaseLedger(s))
		long := time.Now().UTC().Add(-time.Hour)
		paid := storedPayment(t, s, shop, bob, "paid", "sbx_paid", long)
		other := storedPayment(t, s, shop, bob, "paid", "sbx_other", long)
		expired := storedPayment(t, s, shop, bob, "expired", "sbx_expired", long)
		over := storedPayment(t, s, shop, bob, "paid", "sbx_over", long)
		byKey, byReference, otherRefund := refundOf(t, s, paid, 300), refundOf(t, s, paid, 200), refundOf(t, s, other, 300)
		if _, err := s.SettleRefund(ctx, byReference.ID, contract.RefundState{Status: contract.RefundSucceeded, GatewayReference: "re_ref", SettledAt: long}); err != nil {
			t.Fatal(err)
		}
		usd := func(n int64) billing.Money { return billing.Money{Amount: n, Currency: "USD"} }
		listed := func(ref, key string, st gateways.RefundStatus, n int64) gateways.ListedRefund {
			return gateways.ListedRefund{RefundResult: gateways.RefundResult{Reference: ref, Status: st}, Amount: usd(n), IdempotencyKey: key}
		}
		g := listingSandbox{Sandbox: sb, refunds: map[string][]gateways.ListedRefund{
			"sbx_paid": {
				listed("re_key", byKey.ID.String(), gateways.RefundSucceeded, 300),
				listed("re_ref", "", gateways.RefundSucceeded, 200),
				listed("re_dashboard", "", gateways.RefundSucceeded, 250),
				listed("re_slow", "", gateways.RefundPending, 100),
			},
			"sbx_other": {listed("re_ours", otherRefund.ID.String(), gateways.RefundSucceeded, 300)},
			"sbx_over":  {listed("re_huge", "", gateways.RefundSucceeded, 1501)},
		}}
		var reg gateways.Registry
		if err := reg.Register(g); err != nil {
			t.Fatal(err)
		}
		a := &Activities{Store: s, Gateways: gateways.Router{Local: &reg}}
		for _, e := range []models.WebhookEvent{
			{ID: "evt_paid", PaymentID: &paid.ID},
			{ID: "evt_other", PaymentID: &other.ID},
			{ID: "evt_expired", PaymentID: &expired.ID},
			{ID: "evt_over", PaymentID: &over.ID},
			{ID: "evt_fresh", PaymentID: &paid.ID, ReceivedAt: time.Now().UTC()},
		} {
			e.Gateway, e.Kind = sandbox.Name, string(gateways.EventChargeRefunded)
			if e.ReceivedAt.IsZero() {
				e.ReceivedAt = long
			}
			if _, _, err := s.RecordWebhookEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		todo, err := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC()})
		if err != nil || len(todo.RefundReports) != 4 {
			t.Fatalf("RefundReports = %+v, %v; want the four reports older than %s", todo.RefundReports, err, lateEventAge)
		}
		if all, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC(), EventAge: time.Nanosecond}); len(all.RefundReports) != 5 {
			t.Errorf("a run by hand taking events of any age found %d reports, want 5", len(all.RefundReports))
		}
		results := map[string]Applied{}
		for _, e := range todo.RefundReports {
			if results[e.EventID], err = a.ApplyRefundReport(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if r := results["evt_paid"]; r.Action != contract.ActionReported || r.TenantID != shop.ID ||
			!strings.Contains(r.Detail, "re_dashboard") || !strings.Contains(r.Detail, "re_slow") || strings.Contains(r.Detail, "re_key") {
			t.Errorf("the paid payment's report = %+v; want re_dashboard recorded, re_slow reported", r)
		}
		if r := results["evt_over"]; r.Action != contract.ActionReported || !strings.Contains(r.Detail, "re_huge") {
			t.Errorf("a refund above the payment = %+v, want it reported for a person", r)
		}
		if list, _ := s.Refunds(ctx, models.RefundFilter{PaymentID: &over.ID, Limit: 10}); len(list) != 0 {
			t.Errorf("a refund above the payment was recorded: %+v", list)
		}
		for _, id := range []string{"evt_other", "evt_expired"} {
			if r := results[id]; r.Action != contract.ActionNone {
				t.Errorf("%s = %+v, want nothing done", id, r)
			}
		}
		dashboard, err := s.RefundByID(ctx, models.GatewayRefundID(paid.ID, "re_dashboard"))
		if err != nil || dashboard.Origin != models.RefundOriginGateway || dashboard.Status != "succeeded" || dashboard.Amount != 250 {
			t.Fatalf("the dashboard's refund = %+v, %v", dashboard, err)
		}
		if list, _ := s.Refunds(ctx, models.RefundFilter{PaymentID: &paid.ID, Limit: 10}); len(list) != 3 {
			t.Errorf("the paid payment has %d refunds, want billgate's two and the dashboard's", len(list))
		}
		if list, _ := s.Refunds(ctx, models.RefundFilter{PaymentID: &other.ID, Limit: 10}); len(list) != 1 {
			t.Errorf("the other payment has %d refunds, want billgate's only", len(list))
		}

		// The reports of a pending refund and of one above the payment
		// stay, and are run again (a day after they were reported); the
		// others are delivered.
		again, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC()})
		left := map[string]bool{}
		for _, r := range again.RefundReports {
			left[r.EventID] = true
		}
		if len(again.RefundReports) != 2 || !left["evt_paid"] || !left["evt_over"] {
			t.Fatalf("after the run, RefundReports = %+v; want the pending one's and the one above the payment", again.RefundReports)
		}
		var reports []contract.Finding
		for _, id := range []string{"evt_paid", "evt_over"} {
			reports = append(reports, contract.Finding{ID: uuid.Must(uuid.NewV7()), RunID: "r", Kind: contract.FindingGatewayRefund, EventID: id, Action: contract.ActionReported, At: time.Now().UTC()})
		}
		if err := a.RecordFindings(ctx, RecordFindingsInput{Findings: reports}); err != nil {
			t.Fatal(err)
		}
		if later, _ := a.FindReconcilable(ctx, FindReconcilableInput{Now: time.Now().UTC()}); len(later.RefundReports) != 0 {
			t.Errorf("right after its report, RefundReports = %+v, want none for a day", later.RefundReports)
		}
		g.refunds["sbx_paid"][3].Status = gateways.RefundSucceeded
		r, err := a.ApplyRefundReport(ctx, RefundReport{EventID: "evt_paid", Gateway: sandbox.Name, PaymentID: paid.ID})
		if err != nil || r.Action != contract.ActionRecorded || !strings.Contains(r.Detail, "re_slow") || strings.Contains(r.Detail, "re_dashboard") {
			t.Errorf("the rerun = %+v, %v; want re_slow recorded and re_dashboard not again", r, err)
		}
		if got, _ := s.PaymentByID(ctx, paid.ID); got.AmountRefunded != 200+250+100 {
			t.Errorf("AmountRefunded = %d, want billgate's settled 200 and the gateway's 350", got.AmountRefunded)
		}
	})
}

// refundOf stores a pending refund of amount of p, as POST /v1/refunds
// does.
func refundOf(t *testing.T, s *models.Store, p *models.Payment, amount int64) *models.Refund {
	t.Helper()
	r := &models.Refund{ID: uuid.Must(uuid.NewV7()), PaymentID: p.ID, Amount: amount, Currency: p.Currency, Reason: "requested_by_customer", Origin: models.RefundOriginAPI}
	if _, err := s.CreateRefund(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A payment left pending by a workflow that is gone is expired: its
// charge voided, or refunded once when the payer had approved it; a payment
// no longer pending is left as it is.
func TestExpireOrphanedPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		shop, bob := shopAndCustomer(t, s)
		ledger := sandbox.NewDatabaseLedger(s)
		a, sb := sandboxActivitiesOn(t, ledger)
		a.Store = s
		pending := func(key string) string {
			c, err := sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: key, Amount: billing.Money{Amount: 1500, Currency: "USD"}, Token: sandbox.TokenAsync, CustomerID: bob.ID.String()})
			if err != nil || c.Status != gateways.Pending {
				t.Fatalf("charge = %+v, %v", c, err)
			}
			return c.Reference
		}
		long := time.Now().UTC().Add(-48 * time.Hour)
		unapproved, approved := pending("orphan/1"), pending("orphan/2")
		if _, err := ledger.Resolve(ctx, approved, gateways.Succeeded, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		never := storedPayment(t, s, shop, bob, "pending", unapproved, long)
		late := storedPayment(t, s, shop, bob, "pending", approved, long)
		paid := storedPayment(t, s, shop, bob, "paid", "sbx_paid", long)
		apply := func(p *models.Payment, reference string) Applied {
			t.Helper()
			res, err := a.ExpireOrphanedPayment(ctx, StalePayment{PaymentID: p.ID, TenantID: p.TenantID, Gateway: p.Gateway, Reference: reference})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}

		if r := apply(never, unapproved); r.Action != contract.ActionExpired || r.TenantID != shop.ID {
			t.Errorf("the unapproved charge's payment = %+v, want expired", r)
		}
		if r := apply(late, approved); r.Action != contract.ActionExpired || !strings.Contains(r.Detail, "refunded") {
			t.Errorf("the approved charge's payment = %+v, want expired and refunded", r)
		}
		if r := apply(paid, "sbx_paid"); r.Action != contract.ActionNone {
			t.Errorf("a paid payment = %+v, want it left", r)
		}
		if r := apply(late, approved); r.Action != contract.ActionNone {
			t.Errorf("a rerun = %+v, want nothing more done", r)
		}
		for p, want := range map[*models.Payment]string{never: "voided", late: "refunded"} {
			if events, _ := s.Events(ctx, models.EventFilter{ObjectID: &p.ID, Types: []string{models.EventPaymentExpired}, Limit: 10}); len(events) != 1 {
				t.Errorf("payment.expired events of an expired orphan = %d, want 1", len(events))
			}
			if events, _ := s.Events(ctx, models.EventFilter{ObjectID: &p.InvoiceID, Types: []string{models.EventInvoiceUncollectible}, Limit: 10}); len(events) != 1 {
				t.Errorf("invoice.uncollectible events of an expired orphan = %d, want 1", len(events))
			}
			got, _ := s.PaymentByID(ctx, p.ID)
			inv, _ := s.InvoiceByID(ctx, p.InvoiceID)
			if got.Status != "expired" || got.Attempts[0].Status != want || got.Version != p.Version+1 || inv.Status != "uncollectible" {
				t.Errorf("payment %+v, invoice %s; want expired with its charge %s, the invoice uncollectible", got, inv.Status, want)
			}
		}
		charges, _ := sb.Charges(ctx)
		for _, c := range charges {
			switch c.Reference {
			case unapproved:
				if c.Status != gateways.Voided || c.RefundKey != "" {
					t.Errorf("the unapproved charge = %+v, want voided", c)
				}
			case approved:
				if c.RefundKey != gateways.RefundKey(gateways.IdempotencyKey(late.ID.String(), 1)) {
					t.Errorf("the approved charge's refund key = %q, want the workflow's", c.RefundKey)
				}
			}
		}
	})
}
