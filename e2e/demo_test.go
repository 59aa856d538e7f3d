package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/billgate/billgate/internal/demo"
	"github.com/billgate/billgate/internal/testenv"
)

// `billgate dev --demo`'s seed leaves each demo customer's subscription in
// the state its printed login promises, the dashboard's MRR counts the
// paying ones, and every demo login works.
func TestDemoSeedsEveryState(t *testing.T) {
	t.Parallel()
	env := startDemo(t)
	login := func(name, business string) []string {
		return as(t, env, fmt.Sprintf(`{"login":%q,"password":%q,"tenant":%q}`, name, demo.Password, business))
	}
	owner := login(demo.Business, "")
	want := map[string]string{"alice": "active", "frank": "active", "heidi": "active", "carol": "past_due", "dave": "canceled",
		"gina": "expired", "judy": "paused", "ivan": "trialing", "erin": "pending"}
	for _, c := range demo.Customers {
		subs := callList(t, env, "/v1/subscriptions", login(c.Login, demo.Business)...).results
		if len(subs) != 1 || subs[0]["status"] != want[c.Login] {
			t.Errorf("%s (%s) has %v, want one subscription %s", c.Login, c.Shows, subs, want[c.Login])
			continue
		}
		// An end's event is dated when the subscription ended.
		if ended := subs[0]["endedAt"]; ended != nil {
			events := callList(t, env, "/v1/events?type=subscription."+want[c.Login]+"&objectId="+subs[0]["id"].(string), owner...).results
			if len(events) != 1 || events[0]["createdAt"] != ended {
				t.Errorf("%s's subscription ended at %v; its events: %v", c.Login, ended, events)
			}
		}
	}
	// alice 3000, frank 30000/12, heidi 3000, carol 1000 (past_due counts).
	mrr := call(t, env, "GET", "/v1/reports/mrr", "", owner...).Result["points"].([]any)
	if today := mrr[len(mrr)-1].(map[string]any); today["mrr"] != float64(9500) || today["activeSubscriptions"] != float64(4) {
		t.Errorf("today's MRR = %v, want 9500 from 4 subscriptions", today)
	}
	churn := callList(t, env, "/v1/events?type=subscription.canceled,subscription.expired", owner...).results
	if len(churn) != 2 {
		t.Errorf("churn events = %d, want dave's cancel and gina's expiry", len(churn))
	}
}

// startDemo starts billgate with the demo seeded, as billgate dev --demo
// does, and an admin, root.
func startDemo(t *testing.T) *testenv.Env {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	env.CreateClient(nil, "root", goodPassword, "admin")
	env.CreateClient(nil, demo.Business, demo.Password, "business")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := demo.Seed(ctx, env.URL, demo.Business, time.Now()); err != nil {
		t.Fatalf("seed the demo: %v", err)
	}
	return env
}
