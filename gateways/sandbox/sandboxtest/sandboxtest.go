// Package sandboxtest checks that a sandbox.Ledger gives the sandbox what it
// relies on, so that the memory ledger and the database ledger are tested
// with the same expectations.
package sandboxtest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
)

// VoidAndRefund runs the sandbox's Void and Refund over ledger, which must
// be empty: voids cancel pending charges only, refunds take succeeded
// charges only, and a repeated or concurrent call with one key is one void
// or one refund in the ledger.
func VoidAndRefund(t *testing.T, ledger sandbox.Ledger) {
	t.Helper()
	sb, err := sandbox.New(ledger, sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	g := gateway{t: t, sb: sb}
	t.Run("void", g.void)
	t.Run("void settled", g.voidSettled)
	t.Run("refund", g.refund)
	t.Run("refund refused", g.refundRefused)
	t.Run("void races approval", g.voidRacesApproval)
	g.ledgerShowsOneEach(ledger)
}

type gateway struct {
	t  *testing.T
	sb *sandbox.Sandbox
}

func (g gateway) charge(t *testing.T, key, token string) gateways.ChargeResult {
	t.Helper()
	r, err := g.sb.Charge(context.Background(), gateways.ChargeRequest{IdempotencyKey: key, Amount: billing.Money{Amount: 1000, Currency: "USD"}, Token: token, CustomerID: "cus_1"})
	if err != nil {
		t.Fatalf("Charge(%s, %s) = %v", key, token, err)
	}
	return r
}

// A pending charge is voided once, whatever the retries, and can no longer
// be approved.
func (g gateway) void(t *testing.T) {
	ctx := context.Background()
	ref := g.charge(t, "void_1/1", sandbox.TokenAsync).Reference
	req := gateways.VoidRequest{IdempotencyKey: gateways.VoidKey("void_1/1"), Reference: ref}
	for i := range 2 {
		if r, err := g.sb.Void(ctx, req); err != nil || r.Status != gateways.Voided || r.NextAction != nil {
			t.Errorf("Void call %d = %+v, %v, want voided", i+1, r, err)
		}
	}
	if _, _, _, err := g.sb.Decide(ctx, ref, true); !errors.Is(err, sandbox.ErrAlreadyDecided) {
		t.Errorf("approving a voided charge = %v, want ErrAlreadyDecided", err)
	}
	if page, err := g.sb.ApprovalPage(ctx, ref); err != nil || !strings.Contains(string(page), "voided") || strings.Contains(string(page), "Approve") {
		t.Errorf("approval page of a voided charge = %v, %s; want it voided, without buttons", err, page)
	}
	if _, _, _, err := g.sb.Webhook(ctx, ref); err == nil {
		t.Error("Webhook of a voided charge succeeded, want an error: the payer decided nothing")
	}
	if r, err := g.sb.Lookup(ctx, ref); err != nil || r.Status != gateways.Voided {
		t.Errorf("Lookup of a voided charge = %+v, %v", r, err)
	}
	if _, err := g.sb.Void(ctx, gateways.VoidRequest{IdempotencyKey: "k", Reference: "sbx_unknown"}); !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrUnknownCharge) {
		t.Errorf("Void(unknown) = %v, want a permanent ErrUnknownCharge", err)
	}
	if _, err := g.sb.Void(ctx, gateways.VoidRequest{Reference: ref}); !gateways.IsPermanent(err) {
		t.Errorf("Void without a key = %v, want a permanent error", err)
	}
}

// A charge already decided is not voided: the caller learns how it
// stands.
func (g gateway) voidSettled(t *testing.T) {
	for _, token := range []string{sandbox.TokenOK, sandbox.TokenDecline} {
		c := g.charge(t, "settled_"+token+"/1", token)
		r, err := g.sb.Void(context.Background(), gateways.VoidRequest{IdempotencyKey: "settled_" + token + "/1/void", Reference: c.Reference})
		if !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrChargeSettled) || r.Status != c.Status || r.Reference != c.Reference {
			t.Errorf("Void(%s charge) = %+v, %v; want it %s with a permanent ErrChargeSettled", token, r, err, c.Status)
		}
	}
}

// A succeeded charge is refunded once per key, even by concurrent calls.
func (g gateway) refund(t *testing.T) {
	ctx := context.Background()
	ref := g.charge(t, "refund_1/1", sandbox.TokenOK).Reference
	req := gateways.RefundRequest{IdempotencyKey: gateways.RefundKey("refund_1/1"), Reference: ref}
	refs := make([]string, 10)
	var wg sync.WaitGroup
	for i := range refs {
		wg.Go(func() {
			r, err := g.sb.Refund(ctx, req)
			if err != nil {
				t.Error(err)
			}
			refs[i] = r.Reference
		})
	}
	wg.Wait()
	for _, r := range refs {
		if r == "" || r != refs[0] {
			t.Fatalf("concurrent refunds under one key = %q, want one refund", refs)
		}
	}
	if r, err := g.sb.Refund(ctx, req); err != nil || r.Reference != refs[0] {
		t.Errorf("Refund again = %+v, %v, want %s", r, err, refs[0])
	}
}

func (g gateway) refundRefused(t *testing.T) {
	ctx := context.Background()
	refunded, _ := g.sb.Find(ctx, "refund_1/1")
	other := g.charge(t, "refund_2/1", sandbox.TokenOK).Reference
	declined := g.charge(t, "refund_3/1", sandbox.TokenDecline).Reference
	pending := g.charge(t, "refund_4/1", sandbox.TokenAsync).Reference
	tests := []struct {
		name string
		req  gateways.RefundRequest
		want error
	}{
		{"refunded under another key", gateways.RefundRequest{IdempotencyKey: "another", Reference: refunded.Reference}, gateways.ErrAlreadyRefunded},
		{"key of another refund", gateways.RefundRequest{IdempotencyKey: gateways.RefundKey("refund_1/1"), Reference: other}, gateways.ErrIdempotencyConflict},
		{"declined", gateways.RefundRequest{IdempotencyKey: "refund_3/1/refund", Reference: declined}, gateways.ErrNotRefundable},
		{"pending", gateways.RefundRequest{IdempotencyKey: "refund_4/1/refund", Reference: pending}, gateways.ErrNotRefundable},
		{"unknown", gateways.RefundRequest{IdempotencyKey: "k", Reference: "sbx_unknown"}, gateways.ErrUnknownCharge},
		{"part of a charge", gateways.RefundRequest{IdempotencyKey: "refund_2/1/refund", Reference: other, Amount: billing.Money{Amount: 1, Currency: "USD"}}, sandbox.ErrPartialRefund},
	}
	for _, tt := range tests {
		if _, err := g.sb.Refund(ctx, tt.req); !gateways.IsPermanent(err) || !errors.Is(err, tt.want) {
			t.Errorf("Refund(%s) = %v, want a permanent %v", tt.name, err, tt.want)
		}
	}
}

// A void and an approval at once: exactly one wins, and the void reports
// the approval when it loses.
func (g gateway) voidRacesApproval(t *testing.T) {
	ctx := context.Background()
	ref := g.charge(t, "race_1/1", sandbox.TokenAsync).Reference
	var voided gateways.ChargeResult
	var voidErr, approveErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		voided, voidErr = g.sb.Void(ctx, gateways.VoidRequest{IdempotencyKey: "race_1/1/void", Reference: ref})
	})
	wg.Go(func() { _, _, _, approveErr = g.sb.Decide(ctx, ref, true) })
	wg.Wait()
	switch {
	case voidErr == nil && voided.Status == gateways.Voided && errors.Is(approveErr, sandbox.ErrAlreadyDecided):
	case approveErr == nil && errors.Is(voidErr, gateways.ErrChargeSettled) && voided.Status == gateways.Succeeded:
	default:
		t.Errorf("void = %+v, %v; approval = %v; want exactly one to win", voided, voidErr, approveErr)
	}
}

// ledgerShowsOneEach checks the ledger: one void, one refund per charge.
func (g gateway) ledgerShowsOneEach(ledger sandbox.Ledger) {
	charges, err := ledger.Charges(context.Background())
	if err != nil {
		g.t.Fatal(err)
	}
	byKey := map[string]sandbox.Charge{}
	for _, c := range charges {
		byKey[c.Key] = c
	}
	if c := byKey["void_1/1"]; c.Status != gateways.Voided || c.VoidKey != "void_1/1/void" || c.ResolvedAt.IsZero() {
		g.t.Errorf("voided charge in the ledger = %+v, want voided under its void key", c)
	}
	refunds := 0
	for _, c := range charges {
		if c.RefundKey != "" {
			refunds++
		}
	}
	if c := byKey["refund_1/1"]; refunds != 1 || c.RefundKey != "refund_1/1/refund" || c.RefundReference == "" || c.RefundedAt.IsZero() || c.Status != gateways.Succeeded {
		g.t.Errorf("%d refunds in the ledger, refunded charge %+v; want one, on refund_1/1", refunds, c)
	}
}
