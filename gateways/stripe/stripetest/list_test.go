package stripetest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// listed is a list object's fields and its objects' IDs.
type listed struct {
	a       answer
	object  string
	url     string
	hasMore *bool
	ids     []string
}

func (c client) list(path string, form url.Values) listed {
	c.t.Helper()
	l := listed{a: c.do(http.MethodGet, path, form, "")}
	var body struct {
		Object  string
		URL     string
		HasMore *bool `json:"has_more"`
		Data    []struct{ ID string }
	}
	if err := json.Unmarshal(l.a.raw, &body); err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	l.object, l.url, l.hasMore = body.Object, body.URL, body.HasMore
	for _, obj := range body.Data {
		l.ids = append(l.ids, obj.ID)
	}
	return l
}

// docs.stripe.com/api/refunds/list: the refunds of one PaymentIntent, or of
// one Charge, newest first, in a list object; docs.stripe.com/api/pagination:
// limit of them (10 unless given) after starting_after, has_more saying
// whether others follow.
func TestListRefunds(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	pi, charge := paid(t, s, c, stripetest.MethodVisa)
	other, _ := paid(t, s, c, stripetest.MethodVisa)
	var want []string // pi's refunds, newest first
	for range 12 {
		id := c.post("/v1/refunds", url.Values{"payment_intent": {pi}, "amount": {"100"}}, "").str("id")
		want = append([]string{id}, want...)
		c.post("/v1/refunds", url.Values{"payment_intent": {other}, "amount": {"100"}}, "")
	}

	first := c.list("/v1/refunds", url.Values{"payment_intent": {pi}})
	if first.a.status != http.StatusOK || first.object != "list" || first.url != "/v1/refunds" || first.hasMore == nil || !*first.hasMore || !slices.Equal(first.ids, want[:10]) {
		t.Fatalf("first page = %s, want a list of the 10 newest refunds of %s, more to come", first.a.raw, pi)
	}
	rest := c.list("/v1/refunds", url.Values{"payment_intent": {pi}, "starting_after": {first.ids[9]}})
	if rest.hasMore == nil || *rest.hasMore || !slices.Equal(rest.ids, want[10:]) {
		t.Errorf("page after %s = %s, want the 2 oldest, no more", first.ids[9], rest.a.raw)
	}

	var paged []string
	for after, pages := "", 0; ; pages++ {
		form := url.Values{"charge": {charge}, "limit": {"5"}}
		if after != "" {
			form.Set("starting_after", after)
		}
		p := c.list("/v1/refunds", form)
		paged = append(paged, p.ids...)
		if p.hasMore == nil || !*p.hasMore {
			if pages != 2 {
				t.Errorf("%d pages of 5, want 3", pages+1)
			}
			break
		}
		after = p.ids[len(p.ids)-1]
	}
	if !slices.Equal(paged, want) {
		t.Errorf("the charge's refunds in pages of 5 = %v, want %v", paged, want)
	}

	both := c.list("/v1/refunds", url.Values{"payment_intent": {pi}, "charge": {charge}, "limit": {"100"}})
	all := c.list("/v1/refunds", url.Values{"limit": {"100"}})
	if !slices.Equal(both.ids, want) || len(all.ids) != 24 || *all.hasMore {
		t.Errorf("both filters: %d refunds, none: %d; want %d and 24", len(both.ids), len(all.ids), len(want))
	}
	// Stripe documents an error for a charge it does not have, none for a
	// PaymentIntent.
	if none := c.list("/v1/refunds", url.Values{"payment_intent": {"pi_nope"}}); none.a.status != http.StatusOK || len(none.ids) != 0 || *none.hasMore {
		t.Errorf("refunds of an unknown PaymentIntent = %s, want an empty list", none.a.raw)
	}

	for _, tt := range []struct {
		form            url.Values
		wantCode, param string
	}{
		{url.Values{"limit": {"0"}}, "", "limit"},
		{url.Values{"limit": {"101"}}, "", "limit"},
		{url.Values{"charge": {"ch_nope"}}, "resource_missing", "charge"},
		{url.Values{"starting_after": {"re_nope"}}, "resource_missing", "starting_after"},
	} {
		if a := c.list("/v1/refunds", tt.form).a; a.status != http.StatusBadRequest || a.errorField("code") != tt.wantCode || a.errorField("param") != tt.param {
			t.Errorf("list %v = %d %s, want 400 %s on %s", tt.form, a.status, a.raw, tt.wantCode, tt.param)
		}
	}
}

// A refund in the Dashboard is made as POST /v1/refunds makes it, with the
// same events, but without metadata or a request behind it.
func TestRefundInDashboard(t *testing.T) {
	s, c, _ := start(t, stripetest.Options{})
	pi, charge := paid(t, s, c, stripetest.MethodVisa)
	part, err := s.RefundInDashboard(pi, 500)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := s.RefundInDashboard(pi, 0)
	if err != nil {
		t.Fatal(err)
	}
	for id, amount := range map[string]float64{part: 500, rest: 1499} {
		re := c.get("/v1/refunds/" + id)
		if re.str("status") != "succeeded" || re.body["amount"] != amount || re.str("payment_intent") != pi || re.str("charge") != charge || len(re.body["metadata"].(map[string]any)) != 0 {
			t.Errorf("refund %s = %s, want %v of %s succeeded, no metadata", id, re.raw, amount, pi)
		}
	}
	if ch := c.get("/v1/charges/" + charge); ch.body["amount_refunded"] != float64(1999) || ch.body["refunded"] != true {
		t.Errorf("charge = %s, want refunded in full", ch.raw)
	}
	if got := c.list("/v1/refunds", url.Values{"payment_intent": {pi}}).ids; !slices.Equal(got, []string{rest, part}) {
		t.Errorf("listed = %v, want %v", got, []string{rest, part})
	}

	var refunded []float64 // previous amount_refunded of each charge.refunded
	for _, ev := range s.EventsOfType("charge.refunded") {
		payload, _ := s.Payload(ev.ID)
		var e struct {
			Data struct {
				PreviousAttributes map[string]any `json:"previous_attributes"`
			}
			Request struct{ ID *string }
		}
		if err := json.Unmarshal(payload, &e); err != nil || e.Request.ID != nil {
			t.Errorf("charge.refunded = %s, want no request", payload)
		}
		refunded = append(refunded, e.Data.PreviousAttributes["amount_refunded"].(float64))
	}
	if !slices.Equal(refunded, []float64{0, 500}) || len(s.EventsOfType("refund.created")) != 2 {
		t.Errorf("charge.refunded from amount_refunded %v and %d refund.created, want from 0 and 500, and 2", refunded, len(s.EventsOfType("refund.created")))
	}

	pending, _ := paid(t, s, c, stripetest.MethodPendingRefund)
	id, err := s.RefundInDashboard(pending, 100)
	if re := c.get("/v1/refunds/" + id); err != nil || re.str("status") != "pending" {
		t.Errorf("a Dashboard refund of %s = %s, %v; want pending", stripetest.MethodPendingRefund, re.raw, err)
	}
	disputed, _ := paid(t, s, c, stripetest.MethodVisa)
	if _, err := s.Dispute(disputed); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		pi     string
		amount int64
	}{
		{"refunded in full", pi, 0},
		{"above what remains", pending, 1900},
		{"a negative amount", pending, -1},
		{"disputed", disputed, 0},
		{"no such PaymentIntent", "pi_nope", 0},
	} {
		if id, err := s.RefundInDashboard(tt.pi, tt.amount); err == nil {
			t.Errorf("RefundInDashboard(%s) = %s, want an error", tt.name, id)
		}
	}
}
