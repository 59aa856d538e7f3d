package sandbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/sandbox/sandboxtest"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

// eachDatabaseLedger runs fn over the ledger in a fresh, migrated database
// on every dialect.
func eachDatabaseLedger(t *testing.T, fn func(t *testing.T, ledger sandbox.DatabaseLedger)) {
	storetest.Each(t, func(t *testing.T, s *models.Store) { fn(t, sandbox.NewDatabaseLedger(s)) })
}

// The database ledger voids and refunds as the memory ledger does, on both
// dialects.
func TestDatabaseLedgerVoidAndRefund(t *testing.T) {
	eachDatabaseLedger(t, func(t *testing.T, ledger sandbox.DatabaseLedger) {
		sandboxtest.VoidAndRefund(t, ledger)
	})
}

// The sandbox gateway behaves the same over the database ledger as over
// memory, on both dialects.
func TestSandboxOverDatabaseLedger(t *testing.T) {
	eachDatabaseLedger(t, func(t *testing.T, ledger sandbox.DatabaseLedger) {
		ctx := context.Background()
		sb, err := sandbox.New(ledger, sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: []byte("secret")})
		if err != nil {
			t.Fatal(err)
		}
		charge := func(key, token string) (gateways.ChargeResult, error) {
			return sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: key, Amount: billing.Money{Amount: 1000, Currency: "USD"}, Token: token, CustomerID: "cus_1"})
		}
		if r, err := charge("pay_1/1", sandbox.TokenOK); err != nil || r.Status != gateways.Succeeded {
			t.Errorf("sandbox_ok = %+v, %v", r, err)
		}
		if r, err := charge("pay_2/1", sandbox.TokenDecline); err != nil || r.Status != gateways.Declined || r.DeclineCode != gateways.CodeCardDeclined {
			t.Errorf("sandbox_decline = %+v, %v", r, err)
		}
		for i := range 2 {
			if _, err := charge("pay_3/1", sandbox.TokenFlaky); !gateways.IsTransient(err) {
				t.Errorf("sandbox_flaky call %d = %v, want transient", i+1, err)
			}
		}
		if r, err := charge("pay_3/1", sandbox.TokenFlaky); err != nil || r.Status != gateways.Succeeded {
			t.Errorf("sandbox_flaky third call = %+v, %v", r, err)
		}
		after1 := sandbox.TokenDeclineAfter(1)
		if r, _ := charge("pay_4/1", after1); r.Status != gateways.Succeeded {
			t.Errorf("decline_after_1 first = %+v", r)
		}
		if r, _ := charge("pay_5/1", after1); r.Status != gateways.Declined {
			t.Errorf("decline_after_1 second = %+v", r)
		}

		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := charge("pay_6/1", sandbox.TokenOK); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		all, err := ledger.Charges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]int{}
		for _, c := range all {
			keys[c.Key]++
		}
		if keys["pay_6/1"] != 1 || len(all) != 6 {
			t.Errorf("ledger = %d charges, pay_6/1 %d times; want 6 charges, each key once", len(all), keys["pay_6/1"])
		}

		async, err := charge("pay_7/1", sandbox.TokenAsync)
		if err != nil || async.Status != gateways.Pending || async.NextAction == nil {
			t.Fatalf("sandbox_async = %+v, %v", async, err)
		}
		if _, _, _, err := sb.Decide(ctx, async.Reference, true); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := sb.Decide(ctx, async.Reference, false); !errors.Is(err, sandbox.ErrAlreadyDecided) {
			t.Errorf("second decision = %v, want ErrAlreadyDecided", err)
		}
		if r, _ := charge("pay_7/1", sandbox.TokenAsync); r.Status != gateways.Succeeded {
			t.Errorf("repeating an approved async charge = %+v, want succeeded", r)
		}
		if _, err := ledger.ByReference(ctx, "nope"); !errors.Is(err, sandbox.ErrUnknownReference) {
			t.Errorf("ByReference(unknown) = %v", err)
		}
		if c, err := ledger.ByKey(ctx, "pay_7/1"); err != nil || c.Reference != async.Reference || c.Status != gateways.Succeeded {
			t.Errorf("ByKey(pay_7/1) = %+v, %v, want the approved charge %s", c, err, async.Reference)
		}
		if _, err := ledger.ByKey(ctx, "nope"); !errors.Is(err, sandbox.ErrUnknownReference) {
			t.Errorf("ByKey(unknown) = %v", err)
		}
	})
}
