package stripetest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/billgate/billgate/gateways/stripe/stripetest"
	"github.com/billgate/billgate/internal/settableclock"
)

// receiver is a webhook endpoint that verifies each delivery with
// stripe-go's webhook package, Stripe's own verification
// (docs.stripe.com/webhooks#verify-events), and can be made to fail.
type receiver struct {
	mu      sync.Mutex
	secret  string
	now     func() time.Time
	failing bool
	ids     []string
	types   []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(req.Body)
	sig := req.Header.Get("Stripe-Signature")
	ev, err := webhook.ConstructEventWithOptions(body, sig, r.secret, webhook.ConstructEventOptions{IgnoreTolerance: true})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(sig, "t="+timestamp(r.now())) {
		http.Error(w, "signed at another time: "+sig, http.StatusBadRequest)
		return
	}
	r.ids, r.types = append(r.ids, ev.ID), append(r.types, string(ev.Type))
}

func timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func TestDeliver(t *testing.T) {
	ctx := context.Background()
	clk := settableclock.At(t0)
	rolled := &receiver{secret: "whsec_new", now: clk.Now}
	plain := &receiver{secret: "whsec_plain", now: clk.Now}
	rolledURL, plainURL := httptest.NewServer(rolled), httptest.NewServer(plain)
	t.Cleanup(rolledURL.Close)
	t.Cleanup(plainURL.Close)
	s, _, _ := start(t, stripetest.Options{Clock: clk.Now, Webhooks: []stripetest.Endpoint{
		{URL: rolledURL.URL, Secrets: []string{"whsec_old", "whsec_new"}},
		{URL: plainURL.URL, Secrets: []string{"whsec_plain"}},
	}})
	if _, _, err := s.SaveMethod(stripetest.MethodVisa); err != nil {
		t.Fatal(err)
	}
	want := []string{"customer.created", "payment_method.attached"}
	if err := s.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*receiver{rolled, plain} {
		if strings.Join(r.types, " ") != strings.Join(want, " ") {
			t.Errorf("delivered %v, want %v", r.types, want)
		}
	}

	// A failing endpoint keeps its events for the next round; the other
	// is not held up.
	plain.failing = true
	if _, _, err := s.SaveMethod(stripetest.MethodMastercard); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(ctx); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("Deliver() to a failing endpoint = %v, want its 503", err)
	}
	plain.failing = false
	clk.Advance(time.Minute)
	if err := s.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if len(plain.ids) != 4 || len(rolled.ids) != 4 || plain.ids[2] != rolled.ids[2] {
		t.Errorf("delivered %v and %v, want the same 4 events to each", plain.ids, rolled.ids)
	}
	if err := s.Redeliver(ctx, plain.ids[0]); err != nil || plain.ids[4] != plain.ids[0] {
		t.Errorf("Redeliver() = %v; delivered %v, want the first event again", err, plain.ids)
	}
}

// docs.stripe.com/webhooks#verify-manually: the signed payload is
// "<t>.<body>", each v1 its HMAC-SHA256 under one secret.
func TestSign(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	got := stripetest.Sign(t0, body, "whsec_a", "whsec_b")
	parts := strings.Split(got, ",")
	if len(parts) != 3 || parts[0] != "t=1772366400" || !strings.HasPrefix(parts[1], "v1=") || !strings.HasPrefix(parts[2], "v1=") || parts[1] == parts[2] {
		t.Fatalf("Sign() = %s, want t and two different v1", got)
	}
	for _, secret := range []string{"whsec_a", "whsec_b"} {
		if _, err := webhook.ConstructEventWithOptions(body, got, secret, webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true}); err != nil {
			t.Errorf("stripe-go does not verify the signature with %s: %v", secret, err)
		}
	}
}
