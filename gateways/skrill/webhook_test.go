package skrill

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
)

// Status posts follow the Quick Checkout guide's "Status URL parameters"
// and Appendix "MD5 signature" (md5sig, sha2sig, and the signature of the
// 1-Tap "Cancelled Payment" notice).

// post is the body of the last status post Skrill made.
func (f *fixture) post() url.Values {
	f.t.Helper()
	ds := f.srv.Deliveries()
	if len(ds) == 0 {
		f.t.Fatal("Skrill posted nothing")
	}
	return ds[len(ds)-1].Form
}

func (f *fixture) read(body string) (gateways.Event, error) {
	return f.g.ReadWebhook(context.Background(), nil, []byte(body))
}

func edited(v url.Values, edit func(url.Values)) string {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	edit(c)
	return c.Encode()
}

func TestReadWebhookVerification(t *testing.T) {
	f := newFixture(t)
	r, sid := f.checkout("pay_1/1", eur)
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	post := f.post()
	valid, err := f.read(post.Encode())
	if err != nil || valid.Type != gateways.EventChargeSucceeded || valid.Reference != r.Reference || valid.ID != post.Get("mb_transaction_id")+":2" {
		t.Fatalf("ReadWebhook(Skrill's post) = %+v, %v", valid, err)
	}
	tests := []struct {
		name string
		body string
	}{
		{"forged md5sig", edited(post, func(v url.Values) { v.Set("md5sig", strings.Repeat("A", 32)) })},
		{"md5sig missing", edited(post, func(v url.Values) { v.Del("md5sig") })},
		{"amount altered", edited(post, func(v url.Values) { v.Set("mb_amount", "1999") })},
		{"status altered", edited(post, func(v url.Values) { v.Set("status", "-3") })},
		{"transaction altered", edited(post, func(v url.Values) { v.Set("transaction_id", "pay_5F2_2F1") })},
		{"another merchant", edited(post, func(v url.Values) { v.Set("merchant_id", "100006") })},
		{"no merchant", edited(post, func(v url.Values) { v.Del("merchant_id") })},
		{"status repeated", edited(post, func(v url.Values) { v.Add("status", "-2") })},
		{"sha2sig forged", edited(post, func(v url.Values) { v.Set("sha2sig", strings.Repeat("B", 64)) })},
		{"not a form", "%zz"},
	}
	for _, tt := range tests {
		if e, err := f.read(tt.body); !isBad(err) {
			t.Errorf("ReadWebhook(%s) = %+v, %v; want ErrBadSignature", tt.name, e, err)
		}
	}
	// Skrill sends upper case; the same digest in lower case is accepted.
	lower := edited(post, func(v url.Values) { v.Set("md5sig", strings.ToLower(v.Get("md5sig"))) })
	if e, err := f.read(lower); err != nil || e != valid {
		t.Errorf("ReadWebhook(lower-case md5sig) = %+v, %v; want %+v", e, err, valid)
	}
}

func isBad(err error) bool { return errors.Is(err, gateways.ErrBadSignature) }

// An account with sha2sig enabled requires it; Skrill signs with both.
func TestReadWebhookSHA2(t *testing.T) {
	sha2 := func(s *setup) { s.creds[CredSignature] = SignatureSHA2 }
	f := newFixture(t, sha2, func(s *setup) { s.server.SHA2 = true })
	_, sid := f.checkout("pay_1/1", eur)
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	post := f.post()
	if post.Get("sha2sig") == "" || f.lastEvent().event.Type != gateways.EventChargeSucceeded {
		t.Fatalf("post %v with sha2sig did not verify", post)
	}
	for name, body := range map[string]string{
		"sha2sig missing": edited(post, func(v url.Values) { v.Del("sha2sig") }),
		"sha2sig of another post": edited(post, func(v url.Values) {
			v.Set("sha2sig", strings.Repeat("0", 64))
		}),
	} {
		if _, err := f.read(body); !isBad(err) {
			t.Errorf("ReadWebhook(%s) = %v, want ErrBadSignature", name, err)
		}
	}

	// Skrill without sha2sig enabled, for an account that requires it: the
	// posts are refused, and Skrill gives up after its attempts.
	f = newFixture(t, sha2, func(s *setup) { s.server.MaxDeliveries = 3 })
	_, sid = f.checkout("pay_1/1", eur)
	if _, err := f.srv.Pay(sid); err != nil {
		t.Fatal(err)
	}
	d := f.srv.Deliveries()[0]
	if d.Delivered() || d.Attempts != 3 {
		t.Errorf("delivery = %d attempts, delivered %v; want 3 refused", d.Attempts, d.Delivered())
	}
	if h := f.received(); len(h) != 3 || !isBad(h[0].err) {
		t.Errorf("webhook endpoint saw %d posts, first error %v; want 3 bad signatures", len(h), h[0].err)
	}
}

// Skrill posts again until it gets 200: the redelivered event keeps its
// ID, and a change of status is a new event.
func TestReadWebhookEventIDs(t *testing.T) {
	f := newFixture(t)
	r, sid := f.checkout("pay_1/1", eur)
	f.refuse.Store(2)
	if _, err := f.srv.PayPending(sid); err != nil {
		t.Fatal(err)
	}
	if d := f.srv.Deliveries()[0]; !d.Delivered() || d.Attempts != 3 {
		t.Errorf("delivery = %+v, want delivered at the third attempt", d)
	}
	pending := f.lastEvent().event
	if _, err := f.srv.Settle(r.Reference); err != nil {
		t.Fatal(err)
	}
	settled := f.lastEvent().event
	repost, err := f.read(f.post().Encode())
	if err != nil || repost.ID != settled.ID {
		t.Errorf("redelivered event = %+v, %v; want ID %s", repost, err, settled.ID)
	}
	if pending.Type != gateways.EventOther || settled.Type != gateways.EventChargeSucceeded || pending.ID == settled.ID {
		t.Errorf("pending then settled = %+v, %+v; want other then succeeded, with two IDs", pending, settled)
	}
}

// The payer canceling 1-Tap is posted to ondemand_status_url, signed over
// merchant_id, transaction_id, the secret word, status and rec_payment_id.
func TestReadWebhookOneTapCanceled(t *testing.T) {
	f := newFixture(t)
	r, tok := f.paidCheckout("pay_1/1", eur)
	rec := strings.TrimPrefix(tok, OneTapTokenPrefix)
	if err := f.srv.CancelOneTap(rec); err != nil {
		t.Fatal(err)
	}
	e := f.lastEvent().event
	want := gateways.Event{ID: "1tap:" + rec + ":-1", Type: gateways.EventOther, Reference: r.Reference, IdempotencyKey: "pay_1/1"}
	if e != want {
		t.Errorf("1-Tap canceled = %+v, want %+v", e, want)
	}
	post := f.post()
	for name, body := range map[string]string{
		"forged":         edited(post, func(v url.Values) { v.Set("md5sig", strings.Repeat("C", 32)) }),
		"other 1-Tap ID": edited(post, func(v url.Values) { v.Set("rec_payment_id", "1") }),
		"md5sig missing": edited(post, func(v url.Values) { v.Del("md5sig") }),
	} {
		if _, err := f.read(body); !isBad(err) {
			t.Errorf("ReadWebhook(1-Tap notice, %s) = %v, want ErrBadSignature", name, err)
		}
	}
}
