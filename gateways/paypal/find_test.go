package paypal_test

import (
	"context"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// Find repeats orders.create under the key's PayPal-Request-Id with a
// probe that can move no money: PayPal answers with the order it holds
// under the key, as it stands now, or makes the probe, which means it
// holds none.
func TestFind(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pending := e.charge("awaiting/1", paypal.TokenApproval)
	renewal := e.charge("renewal/1", paypal.VaultToken(e.srv.SaveWallet(paypaltest.BuyerPays)))
	approved := e.charge("approved/1", paypal.TokenApproval).Reference
	e.approve(approved, paypaltest.BuyerPays)
	tests := []struct {
		key  string
		want gateways.ChargeResult
		// saves: the result carries the vault token of the wallet the
		// server saved at the capture.
		saves bool
	}{
		{"awaiting/1", pending, false},
		{"renewal/1", renewal, false},
		// Find reports as Lookup does: an approved order is captured, and
		// reports the wallet it saved.
		{"approved/1", gateways.ChargeResult{Status: gateways.Succeeded, Reference: approved}, true},
	}
	for _, tt := range tests {
		got, err := e.g.Find(ctx, tt.key)
		if tt.saves {
			tt.want.SavedToken = paypal.VaultToken(e.srv.SavedWallet(tt.want.Reference))
		}
		if err != nil || !sameResult(got, tt.want) {
			t.Errorf("Find(%s) = %+v, %v, want %+v", tt.key, got, err, tt.want)
		}
	}
	orders := e.srv.Orders()
	_, err := e.g.Find(ctx, "never/1")
	wantPermanent(t, "Find(unknown key)", err, gateways.ErrUnknownCharge)
	if e.srv.Orders() != orders+1 {
		t.Errorf("Find(unknown key) left %d new orders, want the one probe", e.srv.Orders()-orders)
	}
	// The probe stays unpaid: nothing is captured for it.
	if _, err := e.g.Find(ctx, "never/1"); !gateways.IsPermanent(err) {
		t.Errorf("Find(unknown key) again = %v, want unknown again", err)
	}
	_, err = e.g.Find(ctx, "")
	wantPermanent(t, "Find(no key)", err)
}

// The probe is in a currency the account takes, with the smallest amount
// PayPal writes in it (a whole forint).
func TestFindProbeCurrency(t *testing.T) {
	e := newEnv(t, func(_ *paypal.Connector, a *gateways.Account) { a.Currencies = []billing.Currency{"HUF"} })
	_, err := e.g.Find(context.Background(), "never/1")
	wantPermanent(t, "Find(unknown key)", err, gateways.ErrUnknownCharge)
}
