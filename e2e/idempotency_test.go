package e2e

import (
	"strings"
	"testing"

	"github.com/billgate/billgate/internal/testenv"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "shop", goodPassword, "business")
	env.CreateClient(nil, "other", goodPassword, "business")
	asShop := as(t, env, creds("shop", ""))
	asOther := as(t, env, creds("other", ""))
	withKey := func(header []string, key string) []string {
		return append(append([]string{}, header...), "Idempotency-Key", key)
	}

	body := `{"name":"Pro","prices":[{"amount":3000,"currency":"USD","type":"recurring","interval":"month"}]}`
	first := call(t, env, "POST", "/v1/products", body, withKey(asShop, "create-pro-1")...)
	again := call(t, env, "POST", "/v1/products", body, withKey(asShop, "create-pro-1")...)
	if first.Status != 201 || again.Status != 201 || again.Result["id"] != first.Result["id"] {
		t.Fatalf("replay = %d %v, first %d %v; want the same product", again.Status, again.Result["id"], first.Status, first.Result["id"])
	}
	if again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("Idempotent-Replayed = %q then %q, want absent then true", first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
	}
	if list := callList(t, env, "/v1/products", asShop...); len(list.results) != 1 {
		t.Errorf("products after a replay = %d, want 1", len(list.results))
	}

	r := call(t, env, "POST", "/v1/products", strings.Replace(body, "3000", "3100", 1), withKey(asShop, "create-pro-1")...)
	if r.Status != 409 || len(r.Errors) != 1 || r.Errors[0].Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, another body = %d %+v, want 409 IDEMPOTENCY_KEY_REUSED", r.Status, r.Errors)
	}
	if r := call(t, env, "POST", "/v1/products", body, withKey(asOther, "create-pro-1")...); r.Status != 201 || r.Result["id"] == first.Result["id"] {
		t.Errorf("another caller's same key = %d, want its own new product", r.Status)
	}
	bad := call(t, env, "POST", "/v1/products", body, withKey(asShop, strings.Repeat("k", 256))...)
	if bad.Status != 400 || len(bad.Errors) != 1 || bad.Errors[0].Field != "Idempotency-Key" {
		t.Errorf("an overlong key = %d %+v, want 400 on Idempotency-Key", bad.Status, bad.Errors)
	}
	// A refusal is an answer too: it is replayed, not run again.
	invalid := `{"name":""}`
	r1 := call(t, env, "POST", "/v1/products", invalid, withKey(asShop, "bad-1")...)
	r2 := call(t, env, "POST", "/v1/products", invalid, withKey(asShop, "bad-1")...)
	if r1.Status != 400 || r2.Status != 400 || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a refused request replayed = %d, %d (%q)", r1.Status, r2.Status, r2.Header.Get("Idempotent-Replayed"))
	}
}
