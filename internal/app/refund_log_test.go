package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/skrill"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
	"github.com/billgate/billgate/internal/config"
	"github.com/billgate/billgate/internal/dbtest"
	"github.com/billgate/billgate/models"
)

// eachDatabase runs fn with two stores on one migrated database of each
// dialect, as two processes hold it: two pools on Postgres; SQLite in
// memory is one process's, so there both are one store.
func eachDatabase(t *testing.T, fn func(t *testing.T, one, two *models.Store)) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			open := func() *models.Store {
				s, err := models.Open(ctx, target.DSN, models.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			}
			one := open()
			if _, err := one.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			two := one
			if target.Name != "sqlite" {
				two = open()
			}
			fn(t, one, two)
		})
	}
}

func TestRefundLogKeepsRecords(t *testing.T) {
	eachDatabase(t, func(t *testing.T, one, two *models.Store) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 10, 30, 15, 123456000, time.UTC)
		inFlight := skrill.RefundRecord{Key: "acct/r1", Charge: "acct/pay_5F1_2F1", Requested: billing.Money{},
			Amount: billing.Money{Amount: 1990, Currency: "EUR"}, InFlight: true, At: at}
		answered := inFlight
		answered.Reference, answered.InFlight, answered.At = "acct/9001", false, at.Add(time.Second)
		answered.Result = gateways.RefundResult{Reference: "9001", Status: gateways.RefundFailed, FailureReason: "failed"}
		partial := skrill.RefundRecord{Key: "acct/r2", Charge: "acct/pay_5F1_2F1", Requested: billing.Money{Amount: 500, Currency: "EUR"},
			Amount: billing.Money{Amount: 500, Currency: "EUR"}, At: at.Add(2 * time.Second)}

		w, r := NewRefundLog(one.RefundLogs), NewRefundLog(two.RefundLogs)
		for _, rec := range []skrill.RefundRecord{inFlight, answered, partial} {
			if err := w.Put(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		if got, ok, err := r.Get(ctx, "acct/r1"); err != nil || !ok || !sameRecord(got, answered) {
			t.Errorf("Get = %+v, %v, %v; want %+v", got, ok, err, answered)
		}
		if got, ok, err := r.GetByReference(ctx, "acct/9001"); err != nil || !ok || !sameRecord(got, answered) {
			t.Errorf("GetByReference = %+v, %v, %v; want %+v", got, ok, err, answered)
		}
		list, err := r.List(ctx, "acct/pay_5F1_2F1")
		if err != nil || len(list) != 2 || !sameRecord(list[0], answered) || !sameRecord(list[1], partial) {
			t.Errorf("List = %+v, %v; want r1 then r2", list, err)
		}
		if err := w.Delete(ctx, "acct/r2"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := r.Get(ctx, "acct/r2"); ok || err != nil {
			t.Errorf("Get(deleted) = %v, %v; want not found", ok, err)
		}
		if _, ok, err := r.GetByReference(ctx, "acct/none"); ok || err != nil {
			t.Errorf("GetByReference(unknown) = %v, %v; want not found", ok, err)
		}
		if err := one.PutRefundLog(ctx, models.RefundLogEntry{Key: "acct/bad", Charge: "acct/c", Record: "not json", At: at}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.Get(ctx, "acct/bad"); err == nil {
			t.Error("Get(a record that does not decode) = nil error")
		}
	})
}

func sameRecord(a, b skrill.RefundRecord) bool {
	a.At, b.At = a.At.UTC(), b.At.UTC()
	return a == b
}

// Refunds of one Skrill charge through two processes' gateways, each with
// its own store on the shared database: a key repeated in the other
// process, or after a restart, is answered rather than refunded again, and
// two refunds of what remains at once make one.
func TestSkrillRefundsOnceAcrossProcesses(t *testing.T) {
	eachDatabase(t, func(t *testing.T, one, two *models.Store) {
		ctx := context.Background()
		srv := skrilltest.New(skrilltest.Options{})
		t.Cleanup(srv.Close)
		hooks := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(hooks.Close)
		acct := gateways.Account{ID: uuid.MustParse("0190f3a2-7b1c-7d4e-8f00-123456789abc"), Mode: gateways.ModeTest,
			Credentials: map[string]string{skrill.CredMerchantID: "100005", skrill.CredEmail: "merchant@example.com",
				skrill.CredSecretWord: "secret", skrill.CredAPIPassword: "mqi-pass1"},
			WebhookURL: hooks.URL + "/webhooks/skrill/" + "0190f3a2-7b1c-7d4e-8f00-123456789abc", ReturnURL: "https://billgate.example/return"}
		connect := func(s *models.Store) gateways.ConnectedGateway {
			cs := WithRefundLog(connected.Connectors{skrill.Kind: skrill.Connector{CheckoutURL: srv.CheckoutURL(), APIURL: srv.APIURL()}}, s.RefundLogs)
			g, err := cs[skrill.Kind].Connect(acct)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		a, b := connect(one), connect(two)

		charge, err := a.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: "pay_1/1", Amount: billing.Money{Amount: 1990, Currency: "EUR"}, Token: skrill.TokenCheckout})
		if err != nil {
			t.Fatal(err)
		}
		sid, _ := url.Parse(charge.NextAction.URL)
		if _, err := srv.Pay(sid.Query().Get("sid")); err != nil {
			t.Fatal(err)
		}
		req := gateways.RefundRequest{IdempotencyKey: "r1", Reference: charge.Reference, Amount: billing.Money{Amount: 500, Currency: "EUR"}}
		first, err := a.Refund(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := b.Refund(ctx, req); err != nil || again != first {
			t.Errorf("r1 through the other process = %+v, %v; want %+v", again, err, first)
		}
		if again, err := connect(two).Refund(ctx, req); err != nil || again != first {
			t.Errorf("r1 after a restart = %+v, %v; want %+v", again, err, first)
		}

		// Both at once: one key, then two keys each asking for the rest.
		same := gateways.RefundRequest{IdempotencyKey: "r2", Reference: charge.Reference, Amount: billing.Money{Amount: 100, Currency: "EUR"}}
		results, errs := refundAtOnce(ctx, [2]gateways.ConnectedGateway{a, b}, [2]gateways.RefundRequest{same, same})
		if errs[0] != nil || errs[1] != nil || results[0] != results[1] || len(srv.Refunds(charge.Reference)) != 2 {
			t.Errorf("r2 twice at once = %+v, %v; Skrill holds %d refunds; want one refund, answered twice", results, errs, len(srv.Refunds(charge.Reference)))
		}
		rest := func(key string) gateways.RefundRequest {
			return gateways.RefundRequest{IdempotencyKey: key, Reference: charge.Reference}
		}
		_, errs = refundAtOnce(ctx, [2]gateways.ConnectedGateway{a, b}, [2]gateways.RefundRequest{rest("r3"), rest("r4")})
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, gateways.ErrNotRefundable):
				refused++
			case err != nil:
				t.Errorf("refund of the rest = %v", err)
			}
		}
		if refunds := srv.Refunds(charge.Reference); refused != 1 || len(refunds) != 3 {
			t.Errorf("two refunds of the rest at once: %d refused, Skrill holds %+v; want one refused and three refunds", refused, refunds)
		}
		if r, err := b.(gateways.RefundLooker).LookupRefund(ctx, first.Reference); err != nil || r != first {
			t.Errorf("LookupRefund through the other process = %+v, %v; want %+v", r, err, first)
		}
	})
}

// The process's connectors keep Skrill's refunds in the database, the
// other gateways as they were.
func TestWithRefundLogReplacesSkrillsLogOnly(t *testing.T) {
	eachDatabase(t, func(t *testing.T, one, _ *models.Store) {
		cs := Connectors(config.GatewayURLs{})
		got := WithRefundLog(cs, one.RefundLogs)
		if c := got[skrill.Kind].(skrill.Connector); c.Refunds == nil || c.Refunds == cs[skrill.Kind].(skrill.Connector).Refunds {
			t.Errorf("Skrill's refund log = %v, want the database's", c.Refunds)
		}
		if !slices.Equal(got.Names(), cs.Names()) {
			t.Errorf("connectors = %v, want %v", got.Names(), cs.Names())
		}
	})
}

// refundAtOnce makes the two refunds at the same time.
func refundAtOnce(ctx context.Context, gs [2]gateways.ConnectedGateway, reqs [2]gateways.RefundRequest) ([2]gateways.RefundResult, [2]error) {
	var results [2]gateways.RefundResult
	var errs [2]error
	var wg sync.WaitGroup
	for i := range gs {
		wg.Go(func() { results[i], errs[i] = gs[i].Refund(ctx, reqs[i]) })
	}
	wg.Wait()
	return results, errs
}
