package paypaltest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/paypal"
	"github.com/billgate/billgate/gateways/paypal/paypaltest"
)

// A first payment end to end: the adapter talks to the server, the buyer
// approves, the server delivers the signed webhook to billgate's listener,
// and a Lookup captures the order.
func Example() {
	srv := paypaltest.New(paypaltest.Options{})
	defer srv.Close()

	var g gateways.ConnectedGateway
	events := make(chan gateways.Event, 8)
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e, err := g.ReadWebhook(r.Context(), r.Header, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		events <- e
	}))
	defer listener.Close()
	webhookID := srv.RegisterWebhook(listener.URL)

	g, err := paypal.Connector{
		BaseURL: srv.URL(), HTTPClient: srv.Client(),
		CertHosts: []string{srv.CertHost()}, CertRoots: srv.CertPool(),
	}.Connect(gateways.Account{
		Mode: gateways.ModeTest, Credentials: srv.Credentials(webhookID), ReturnURL: "https://billgate.example/return",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	charge, _ := g.Charge(ctx, gateways.ChargeRequest{
		IdempotencyKey: "payment-1/1", Amount: billing.Money{Amount: 1999, Currency: "USD"}, Token: paypal.TokenApproval,
	})
	fmt.Println("charge:", charge.Status, charge.NextAction.Type)

	if _, err := srv.Approve(charge.Reference, paypaltest.BuyerPays); err != nil {
		panic(err)
	}
	if err := srv.Deliver(ctx); err != nil {
		panic(err)
	}
	e := <-events
	fmt.Println("webhook:", e.Type, e.Reference == charge.Reference, e.IdempotencyKey)

	paid, _ := g.Lookup(ctx, e.Reference)
	fmt.Println("lookup:", paid.Status, paid.SavedToken == paypal.VaultToken(srv.SavedWallet(charge.Reference)))
	// Output:
	// charge: pending redirect
	// webhook: charge.approved true payment-1/1
	// lookup: succeeded true
}
