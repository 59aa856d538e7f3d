package skrill

import (
	"net/url"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/skrill/skrilltest"
)

// return_url and cancel_url (Quick Checkout Integration Guide, "Parameters
// to be posted to Quick Checkout") are the account's return URL, its own
// parameters kept, with the charge's key; cancel_url also says so.
func TestReturnURLsCarryTheKey(t *testing.T) {
	f := newFixture(t, func(s *setup) {
		s.account = func(a *gateways.Account) {
			a.ReturnURL = "https://billgate.example/return?tenant=acme&billgate_key=stale&billgate_cancel=1"
		}
	})
	_, sid := f.checkout("pay_1/1", eur)
	sess, _ := f.srv.Session(sid)
	for name, wantCancel := range map[string]string{"return_url": "", "cancel_url": "1"} {
		u, err := url.Parse(sess.Form.Get(name))
		if err != nil || u.Host != "billgate.example" || u.Path != "/return" {
			t.Fatalf("%s = %q, %v; want the account's return URL", name, sess.Form.Get(name), err)
		}
		q := u.Query()
		if q.Get("tenant") != "acme" || len(q[gateways.ReturnKeyParam]) != 1 || q.Get(gateways.ReturnKeyParam) != "pay_1/1" || q.Get(CancelParam) != wantCancel {
			t.Errorf("%s query = %v; want tenant kept, billgate_key=pay_1/1 once, billgate_cancel=%q", name, q, wantCancel)
		}
	}
}

// The payer comes back from Skrill's page to the URL Skrill sends them to;
// with the secure return URL ("Account and integration options", "Secure
// return_url parameter") Skrill adds transaction_id and msid to
// return_url, and nothing otherwise. Either way ReadReturn names the
// charge and its key.
func TestReadReturnFromSkrillsRedirect(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, tt := range []struct {
			decision   string
			wantCancel bool
		}{
			{skrilltest.DecisionPay, false},
			{skrilltest.DecisionFail, true},
			{skrilltest.DecisionCancel, true},
		} {
			f := newFixture(t, func(s *setup) { s.server.SecureReturnURL = secure })
			r, sid := f.checkout("pay_1/1", eur)
			back, err := f.srv.Decide(sid, tt.decision)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(back)
			if err != nil || !strings.HasPrefix(back, f.acct.ReturnURL+"?") {
				t.Fatalf("secure=%v %s: the payer went to %q, not the account's return URL", secure, tt.decision, back)
			}
			q := u.Query()
			if got := q.Get(CancelParam) == "1"; got != tt.wantCancel {
				t.Errorf("secure=%v %s: back to %q; want billgate_cancel=1 %v", secure, tt.decision, back, tt.wantCancel)
			}
			if signed := q.Get("msid") != ""; signed != (secure && !tt.wantCancel) {
				t.Errorf("secure=%v %s: back to %q; msid present %v", secure, tt.decision, back, signed)
			}
			ref, key, ok := f.g.ReadReturn(q)
			if !ok || ref != r.Reference || key != "pay_1/1" {
				t.Errorf("secure=%v %s: ReadReturn(%v) = %q, %q, %v; want %q, pay_1/1", secure, tt.decision, q, ref, key, ok, r.Reference)
			}
		}
	}
}

func TestReadReturnQueries(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("k", 120)
	tests := []struct {
		name    string
		query   string
		ref     string
		key     string
		present bool
	}{
		{"nothing", "", "", "", false},
		{"only the account's own parameters", "tenant=acme", "", "", false},
		{"key alone", "billgate_key=pay_1%2F1", "pay_5F1_2F1", "pay_1/1", true},
		{"key and its transaction_id", "billgate_key=pay_1%2F1&transaction_id=pay_5F1_2F1&msid=ab", "pay_5F1_2F1", "pay_1/1", true},
		{"transaction_id alone spells the key", "transaction_id=pay_5F1_2F1", "pay_5F1_2F1", "pay_1/1", true},
		{"a long key alone", "billgate_key=" + long, transactionID(long), long, true},
		{"a hashed transaction_id alone", "transaction_id=" + transactionID(long), transactionID(long), "", true},
		{"key and transaction_id of two charges", "billgate_key=pay_1%2F1&transaction_id=pay_5F2_2F1", "", "", false},
		{"transaction_id not ours", "transaction_id=A205220%2F1", "", "", false},
		{"cancel", "billgate_cancel=1&billgate_key=pay_1%2F1", "pay_5F1_2F1", "pay_1/1", true},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		ref, key, ok := f.g.ReadReturn(q)
		if ref != tt.ref || key != tt.key || ok != tt.present {
			t.Errorf("ReadReturn(%s) = %q, %q, %v; want %q, %q, %v", tt.name, ref, key, ok, tt.ref, tt.key, tt.present)
		}
	}
}
