package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways/connected"
	"github.com/billgate/billgate/gateways/skrill"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// A business's Skrill account, end to end over HTTP against skrilltest: a
// checkout the payer pays at Skrill, reported to billgate's status URL
// (md5sig verified, a redelivery kept once, a forged one refused) and
// refunded in two parts; a 1-Tap renewal declined, then recovered; a
// checkout never paid left to expire.
func TestSkrillAccountEndToEnd(t *testing.T) {
	t.Parallel()
	srv := skrilltest.New(skrilltest.Options{})
	t.Cleanup(srv.Close)
	opts := srv.Options()
	s := newConnectedShop(t, connected.Connectors{skrill.Kind: skrill.Connector{CheckoutURL: srv.CheckoutURL(), APIURL: srv.APIURL()}}, "skrill",
		fmt.Sprintf(`{"merchantId":%q,"email":%q,"secretWord":%q,"apiPassword":%q,"oneTapMaxAmount":"100.00"}`, opts.MerchantID, opts.Email, opts.SecretWord, opts.APIPassword))

	buy := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"skrill","token":"checkout"}}`, s.pdf), s.bob...)
	if buy.Status != 201 {
		t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
	}
	payment := "/v1/payments/" + buy.Result["id"].(string)
	s.pendingReference(t, payment)
	sid := s.sessionOf(t, payment)
	paidAt, err := srv.Pay(sid)
	if err != nil {
		t.Fatal(err)
	}
	s.waitStatus(t, payment, "paid")
	deliveries := srv.Deliveries()
	if len(deliveries) == 0 || !deliveries[0].Delivered() || !strings.HasSuffix(deliveries[0].URL, "/webhooks/skrill/"+s.account) {
		t.Fatalf("status posts = %+v, want the payment's taken at billgate's webhook URL", deliveries)
	}
	post := deliveries[0].Form
	if status := s.postWebhook(t, "skrill", []byte(post.Encode()), "application/x-www-form-urlencoded"); status != 200 {
		t.Errorf("the status post again = %d, want 200 (kept once)", status)
	}
	forged := url.Values{}
	for k, v := range post {
		forged[k] = v
	}
	forged.Set("mb_amount", "0.01")
	if status := s.postWebhook(t, "skrill", []byte(forged.Encode()), "application/x-www-form-urlencoded"); status != 400 {
		t.Errorf("a status post with its amount changed = %d, want 400", status)
	}
	s.refundInParts(t, payment)
	if got := srv.Refunds(paidAt.TransactionID); len(got) != 2 {
		t.Errorf("refunds at Skrill = %+v, want 2", got)
	}

	// The first payment set up 1-Tap: billgate saves its token, and
	// renewals are debited without the payer.
	if paidAt.RecPaymentID == "" {
		t.Fatal("the first payment set no 1-Tap up")
	}
	oneTap := s.saveToken(t, "skrill", "1tap:"+paidAt.RecPaymentID)
	if oneTap.Status != 201 {
		t.Fatalf("save the 1-Tap token = %d %+v", oneTap.Status, oneTap.Errors)
	}
	// 1-Tap debits up to the account's oneTapMaxAmount, 100.00: the plan
	// of 30.00 a month is above the first payment's 15.00. The renewal is
	// declined for want of balance, once.
	declining := s.saveToken(t, "skrill", "1tap:"+paidAt.RecPaymentID)
	clock := s.renewalDeclinedThenRecovered(t, s.monthly, oneTap.Result["id"].(string), declining.Result["id"].(string), func() {
		if err := srv.DeclineNextOneTap(paidAt.RecPaymentID, "BALANCE_NOT_ENOUGH"); err != nil {
			t.Fatal(err)
		}
	})

	// A checkout never paid expires with the clock, and a payment made
	// after is refunded, not kept.
	late := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"testClockId":%q,"paymentMethod":{"gateway":"skrill","token":"checkout"}}`,
		s.pdf, s.bobID, clock), s.owner...)
	if late.Status != 201 {
		t.Fatalf("purchase on the clock = %d %+v", late.Status, late.Errors)
	}
	latePath := "/v1/payments/" + late.Result["id"].(string)
	s.pendingReference(t, latePath)
	s.advance(t, clock, clockStart.AddDate(0, 2, 0))
	s.waitStatus(t, latePath, "expired")

	// A subscription begun with a checkout renews by 1-Tap, without the
	// payer: the first payment set it up.
	s.renewsWithSavedMethod(t, s.monthly, "skrill", "checkout", "1tap:", func(_, approval string) {
		u, err := url.Parse(approval)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Pay(u.Query().Get("sid")); err != nil {
			t.Fatal(err)
		}
	})
}

// sessionOf is the Skrill session of a payment's pending checkout, from
// its approval URL.
func (s *connectedShop) sessionOf(t *testing.T, payment string) string {
	t.Helper()
	p := call(t, s.env, "GET", payment, "", s.bob...)
	approval, _ := p.Result["approvalUrl"].(string)
	u, err := url.Parse(approval)
	if err != nil || u.Query().Get("sid") == "" {
		t.Fatalf("approval URL %q names no session", approval)
	}
	return u.Query().Get("sid")
}

// A worker process killed after Skrill took a checkout and before the
// payment was recorded as paid loses nothing (crashBetweenChargeAndProjection):
// the payer pays at Skrill, whose status post reaches the API while no
// worker runs.
func TestSkrillWorkerKilledBetweenChargeAndProjection(t *testing.T) {
	t.Parallel()
	srv := skrilltest.New(skrilltest.Options{})
	t.Cleanup(srv.Close)
	opts := srv.Options()
	crashBetweenChargeAndProjection(t, crashCase{
		env: []string{"BILLGATE_SKRILL_CHECKOUT_URL=" + srv.CheckoutURL(), "BILLGATE_SKRILL_API_URL=" + srv.APIURL()},
		connect: fmt.Sprintf(`{"gateway":"skrill","mode":"test","credentials":{"merchantId":%q,"email":%q,"secretWord":%q,"apiPassword":%q}}`,
			opts.MerchantID, opts.Email, opts.SecretWord, opts.APIPassword),
		method: func(*cluster, string, []string) string {
			return `"paymentMethod":{"gateway":"skrill","token":"checkout"}`
		},
		settle: func(_ *cluster, _, _, approval string) {
			u, err := url.Parse(approval)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Pay(u.Query().Get("sid")); err != nil {
				t.Fatal(err)
			}
			if d := srv.Deliveries(); len(d) != 1 || !d[0].Delivered() {
				t.Fatalf("status posts with no worker running = %+v, want one taken", d)
			}
		},
		charges: func() int {
			n := 0
			for _, d := range srv.Deliveries() {
				if d.Form.Get("status") == "2" {
					n++
				}
			}
			return n
		},
	})
}
