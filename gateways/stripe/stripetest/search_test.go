package stripetest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
)

// docs.stripe.com/search: the query language's equality clauses, joined by
// AND or OR, with quotes escaped.
func TestSearch(t *testing.T) {
	s, c, clk := start(t, stripetest.Options{SearchLag: time.Minute})
	cus, pm := saved(t, s, stripetest.MethodVisa)
	create := func(key string, method string) string {
		f := offSession(cus, method)
		f.Set("metadata[billgate_idempotency_key]", key)
		a := c.post("/v1/payment_intents", f, "")
		if e, declined := a.body["error"].(map[string]any); declined {
			return e["payment_intent"].(map[string]any)["id"].(string)
		}
		return a.str("id")
	}
	ok1 := create("pay_1/1", pm)
	quoted := create(`it's "quoted"`, pm)
	declined := create("pay_2/1", stripetest.MethodDeclined)
	search := func(query string) (int, []string) {
		a := c.do(http.MethodGet, "/v1/payment_intents/search", url.Values{"query": {query}}, "")
		var r struct{ Data []struct{ ID string } }
		_ = json.Unmarshal(a.raw, &r)
		var ids []string
		for _, pi := range r.Data {
			ids = append(ids, pi.ID)
		}
		slices.Sort(ids)
		return a.status, ids
	}
	if _, ids := search(`metadata['billgate_idempotency_key']:'pay_1/1'`); len(ids) != 0 {
		t.Errorf("search before indexing = %v, want nothing: Stripe indexes within a minute", ids)
	}
	clk.Advance(time.Minute)
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	tests := []struct {
		query string
		want  []string
	}{
		{`metadata['billgate_idempotency_key']:'pay_1/1'`, []string{ok1}},
		{`metadata["billgate_idempotency_key"]:"pay_1/1"`, []string{ok1}},
		{`metadata['billgate_idempotency_key']:'it\'s "quoted"'`, []string{quoted}},
		{`metadata['billgate_idempotency_key']:'pay_3/1'`, nil},
		{`status:'requires_payment_method'`, []string{declined}},
		{`status:'succeeded' AND customer:'` + cus + `'`, sorted(ok1, quoted)},
		{`metadata['billgate_idempotency_key']:'pay_1/1' OR metadata['billgate_idempotency_key']:'pay_2/1'`, sorted(ok1, declined)},
		{`currency:'usd' AND status:'canceled'`, nil},
	}
	for _, tt := range tests {
		if status, ids := search(tt.query); status != http.StatusOK || !slices.Equal(ids, tt.want) {
			t.Errorf("search(%s) = %d %v, want %v", tt.query, status, ids, tt.want)
		}
	}
	for _, bad := range []string{
		`amount>100`,
		`status:'succeeded' AND currency:'usd' OR status:'canceled'`,
		`description~'pro'`,
		`metadata['k':'v'`,
		`status:'unterminated`,
	} {
		if status, _ := search(bad); status != http.StatusBadRequest {
			t.Errorf("search(%s) = %d, want 400: stripetest does not take it", bad, status)
		}
	}
}
