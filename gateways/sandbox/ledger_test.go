package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/billgate/billgate/gateways"
)

func TestMemoryLedgerRecord(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	first := Charge{Key: "k1", Reference: "r1", Status: gateways.Pending, Amount: usd, CreatedAt: t0}
	if got, created, err := l.Record(ctx, first); err != nil || !created || got != first {
		t.Fatalf("Record(%+v) = %+v, %v, %v, want it, true, nil", first, got, created, err)
	}
	again := first
	again.Reference, again.Status = "r2", gateways.Succeeded
	if got, created, err := l.Record(ctx, again); err != nil || created || got != first {
		t.Errorf("Record(same key) = %+v, %v, %v, want %+v, false, nil", got, created, err, first)
	}
	tests := []struct {
		name    string
		c       Charge
		wantErr string
	}{
		{"no key", Charge{Reference: "r3", Status: gateways.Succeeded}, "key and reference are required"},
		{"no reference", Charge{Key: "k3", Status: gateways.Succeeded}, "key and reference are required"},
		{"bad status", Charge{Key: "k3", Reference: "r3", Status: "refunded"}, "invalid status"},
		{"reference taken", Charge{Key: "k3", Reference: "r1", Status: gateways.Succeeded}, "already used"},
	}
	for _, tt := range tests {
		if _, _, err := l.Record(ctx, tt.c); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Record(%s) = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
	cs, _ := l.Charges(ctx)
	if len(cs) != 1 {
		t.Fatalf("Charges() = %+v, want one charge", cs)
	}
	cs[0].Status = gateways.Declined // a copy: the ledger is unchanged
	if c, err := l.ByReference(ctx, "r1"); err != nil || c != first {
		t.Errorf("ByReference(r1) = %+v, %v, want %+v", c, err, first)
	}
}

func TestMemoryLedgerResolve(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	_, _, _ = l.Record(ctx, Charge{Key: "k", Reference: "r", CustomerID: "c", Token: TokenAsync, Status: gateways.Pending})
	bad := []struct {
		status gateways.Status
		code   string
	}{
		{gateways.Pending, ""},
		{gateways.Succeeded, "card_declined"},
		{gateways.Declined, ""},
		{"", ""},
	}
	for _, tt := range bad {
		if _, err := l.Resolve(ctx, "r", tt.status, tt.code, t0); err == nil {
			t.Errorf("Resolve(r, %q, %q) = nil, want an error", tt.status, tt.code)
		}
	}
	if n, _ := l.SucceededWithToken(ctx, "c", TokenAsync); n != 0 {
		t.Errorf("SucceededWithToken(c, async) before Resolve = %d, want 0", n)
	}
	if c, err := l.Resolve(ctx, "r", gateways.Succeeded, "", t0); err != nil || c.Status != gateways.Succeeded || c.ResolvedAt != t0 {
		t.Errorf("Resolve(r, succeeded) = %+v, %v, want it succeeded at %v", c, err, t0)
	}
	if n, _ := l.SucceededWithToken(ctx, "c", TokenAsync); n != 1 {
		t.Errorf("SucceededWithToken(c, async) after Resolve = %d, want 1", n)
	}
	if _, err := l.Resolve(ctx, "r", gateways.Declined, "x", t0); !errors.Is(err, ErrAlreadyDecided) {
		t.Errorf("Resolve(r) twice = %v, want ErrAlreadyDecided", err)
	}
	if _, err := l.Resolve(ctx, "nope", gateways.Succeeded, "", t0); !errors.Is(err, ErrUnknownReference) {
		t.Errorf("Resolve(nope) = %v, want ErrUnknownReference", err)
	}
}

func TestMemoryLedgerAttempt(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	for i, key := range []string{"a", "a", "b", "a"} {
		want := []int{1, 2, 1, 3}[i]
		if n, err := l.Attempt(ctx, key); err != nil || n != want {
			t.Errorf("Attempt(%q) call %d = %d, %v, want %d, nil", key, i+1, n, err, want)
		}
	}
}
