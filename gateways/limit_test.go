package gateways

import (
	"context"
	"testing"
	"time"
)

// countingGateway succeeds every charge and counts its calls.
type countingGateway struct{ charges int }

func (g *countingGateway) Name() string { return "counting" }
func (g *countingGateway) Charge(context.Context, ChargeRequest) (ChargeResult, error) {
	g.charges++
	return ChargeResult{Status: Succeeded}, nil
}
func (g *countingGateway) Lookup(context.Context, string) (ChargeResult, error) {
	g.charges++
	return ChargeResult{Status: Succeeded}, nil
}
func (g *countingGateway) Find(context.Context, string) (ChargeResult, error) {
	g.charges++
	return ChargeResult{Status: Succeeded}, nil
}
func (g *countingGateway) Void(context.Context, VoidRequest) (ChargeResult, error) {
	g.charges++
	return ChargeResult{Status: Voided}, nil
}
func (g *countingGateway) Refund(context.Context, RefundRequest) (RefundResult, error) {
	g.charges++
	return RefundResult{}, nil
}

// A burst passes at once; the next charge waits for a token, and a charge
// whose context ends while it waits is transient, never sent.
func TestLimitedWaitsForATokenAndGivesUpTransiently(t *testing.T) {
	inner := &countingGateway{}
	g := Limited(inner, 1, 2) // one a second, bursts of two
	for range 2 {
		if _, err := g.Charge(context.Background(), ChargeRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := g.Charge(ctx, ChargeRequest{})
	if err == nil || IsPermanent(err) || kindOf(err) != KindTransient {
		t.Errorf("a charge over the limit = %v, want a transient error", err)
	}
	if _, err := g.Lookup(ctx, "ref"); kindOf(err) != KindTransient {
		t.Errorf("a lookup over the limit = %v, want a transient error", err)
	}
	if _, err := g.Find(ctx, "key"); kindOf(err) != KindTransient {
		t.Errorf("a find over the limit = %v, want a transient error", err)
	}
	if _, err := g.Void(ctx, VoidRequest{}); kindOf(err) != KindTransient {
		t.Errorf("a void over the limit = %v, want a transient error", err)
	}
	if _, err := g.Refund(ctx, RefundRequest{}); kindOf(err) != KindTransient {
		t.Errorf("a refund over the limit = %v, want a transient error", err)
	}
	if inner.charges != 2 || g.Name() != "counting" {
		t.Errorf("the gateway saw %d charges under the name %q, want 2 as counting", inner.charges, g.Name())
	}
}
