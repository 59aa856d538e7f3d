package e2e

import (
	"fmt"
	"reflect"
	"testing"
)

// Issue 10, hole 10: a change to a subscription retried with its
// Idempotency-Key gets its first answer, not a 409 because the first one
// applied; another change under the same key is refused.
func TestSubscriptionChangesHonourIdempotencyKeys(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	created := s.subscribe(t, s.monthly, "sandbox_ok")
	if created.Status != 201 {
		t.Fatalf("subscribe = %d %+v", created.Status, created.Errors)
	}
	path := "/v1/subscriptions/" + created.Result["id"].(string)
	s.waitStatus(t, path, "active")
	for _, change := range []struct{ path, body, status string }{
		{"/payment-method", `{"paymentMethod":{"gateway":"sandbox","token":"sandbox_ok"}}`, "active"},
		{"/change-price", fmt.Sprintf(`{"priceId":%q,"proration":"none"}`, s.yearly), "active"},
		{"/pause", "", "paused"},
		{"/resume", "", "active"},
		{"/cancel", `{"atPeriodEnd":false}`, "canceled"},
	} {
		key := []string{"Idempotency-Key", "retry" + change.path}
		first := call(t, s.env, "POST", path+change.path, change.body, append(s.owner, key...)...)
		again := call(t, s.env, "POST", path+change.path, change.body, append(s.owner, key...)...)
		if first.Status != 200 || first.Result["status"] != change.status {
			t.Fatalf("POST %s = %d %+v, want 200 %s", change.path, first.Status, first.Errors, change.status)
		}
		if again.Status != 200 || !reflect.DeepEqual(again.Result, first.Result) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("POST %s retried = %d %+v, want the first answer replayed", change.path, again.Status, again.Errors)
		}
	}
	call(t, s.env, "POST", path+"/pause", "", append(s.owner, "Idempotency-Key", "retry/cancel")...).
		is(t, "another change under a used key", 409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request")
}
