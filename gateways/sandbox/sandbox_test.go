package sandbox

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
)

var (
	t0     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	secret = []byte("whsec_test")
	usd    = billing.Money{Amount: 1999, Currency: "USD"}
)

const baseURL = "https://billgate.example"

func newSandbox(t *testing.T) (*Sandbox, *MemoryLedger) {
	t.Helper()
	l := NewMemoryLedger()
	s, err := New(l, Options{BaseURL: baseURL + "/", WebhookSecret: secret, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return s, l
}

func request(key, token string) gateways.ChargeRequest {
	return gateways.ChargeRequest{IdempotencyKey: key, Amount: usd, Token: token, CustomerID: "cus_1", Description: "Pro plan, January"}
}

func charges(t *testing.T, l Ledger) []Charge {
	t.Helper()
	cs, err := l.Charges(context.Background())
	if err != nil {
		t.Fatalf("Charges() = %v", err)
	}
	return cs
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		ledger  Ledger
		opts    Options
		wantErr string
	}{
		{"valid", NewMemoryLedger(), Options{BaseURL: "http://localhost:8080", WebhookSecret: secret}, ""},
		{"with path", NewMemoryLedger(), Options{BaseURL: "https://example.com/billing/", WebhookSecret: secret}, ""},
		{"no ledger", nil, Options{BaseURL: baseURL, WebhookSecret: secret}, "ledger"},
		{"no base URL", NewMemoryLedger(), Options{WebhookSecret: secret}, "base URL"},
		{"relative base URL", NewMemoryLedger(), Options{BaseURL: "/api", WebhookSecret: secret}, "base URL"},
		{"ftp base URL", NewMemoryLedger(), Options{BaseURL: "ftp://example.com", WebhookSecret: secret}, "base URL"},
		{"base URL with query", NewMemoryLedger(), Options{BaseURL: "https://example.com/?a=b", WebhookSecret: secret}, "base URL"},
		{"no secret", NewMemoryLedger(), Options{BaseURL: baseURL}, "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.ledger, tt.opts)
			if tt.wantErr == "" {
				if err != nil || s.Name() != "sandbox" {
					t.Errorf("New(%+v) = %v, %v, want a sandbox", tt.opts, s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%+v) = %v, %v, want an error containing %q", tt.opts, s, err, tt.wantErr)
			}
		})
	}
}

func TestChargeTokens(t *testing.T) {
	tests := []struct {
		token    string
		want     gateways.Status
		wantCode string
	}{
		{TokenOK, gateways.Succeeded, ""},
		{TokenDecline, gateways.Declined, "card_declined"},
		{TokenInsufficientFunds, gateways.Declined, "insufficient_funds"},
		{TokenAsync, gateways.Pending, ""},
		{TokenDeclineAfter(1), gateways.Succeeded, ""},
		{"sandbox_decline_after_1000", gateways.Succeeded, ""},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			s, l := newSandbox(t)
			got, err := s.Charge(context.Background(), request("p/1", tt.token))
			if err != nil || got.Status != tt.want || got.DeclineCode != tt.wantCode || !strings.HasPrefix(got.Reference, "sbx_") {
				t.Fatalf("Charge(%q) = %+v, %v, want status %s, code %q and a reference", tt.token, got, err, tt.want, tt.wantCode)
			}
			if tt.want == gateways.Pending {
				want := &gateways.NextAction{Type: "redirect", URL: baseURL + "/sandbox/approve/" + got.Reference}
				if !reflect.DeepEqual(got.NextAction, want) {
					t.Errorf("Charge(%q).NextAction = %+v, want %+v", tt.token, got.NextAction, want)
				}
			} else if got.NextAction != nil {
				t.Errorf("Charge(%q).NextAction = %+v, want nil", tt.token, got.NextAction)
			}
			want := []Charge{{
				Key: "p/1", Reference: got.Reference, CustomerID: "cus_1", Token: tt.token, Amount: usd,
				Description: "Pro plan, January", Status: tt.want, DeclineCode: tt.wantCode, CreatedAt: t0,
			}}
			if cs := charges(t, l); !reflect.DeepEqual(cs, want) {
				t.Errorf("Charges() = %+v, want %+v", cs, want)
			}
		})
	}
}

func TestChargeRefused(t *testing.T) {
	tests := []struct {
		name    string
		req     gateways.ChargeRequest
		wantIs  error
		wantMsg string
	}{
		{"unknown token", request("k", "tok_visa"), ErrUnknownToken, `unknown sandbox token "tok_visa"`},
		{"upper case", request("k", "SANDBOX_OK"), ErrUnknownToken, "unknown sandbox token"},
		{"prefix only", request("k", "sandbox_decline_after_"), ErrUnknownToken, "1 to 1000"},
		{"N = 0", request("k", "sandbox_decline_after_0"), ErrUnknownToken, "1 to 1000"},
		{"N = 1001", request("k", "sandbox_decline_after_1001"), ErrUnknownToken, "1 to 1000"},
		{"N = -1", request("k", "sandbox_decline_after_-1"), ErrUnknownToken, "1 to 1000"},
		{"N = +1", request("k", "sandbox_decline_after_+1"), ErrUnknownToken, "1 to 1000"},
		{"N = 03", request("k", "sandbox_decline_after_03"), ErrUnknownToken, "1 to 1000"},
		{"N = x", request("k", "sandbox_decline_after_x"), ErrUnknownToken, "1 to 1000"},
		{"N huge", request("k", "sandbox_decline_after_99999999999999999999"), ErrUnknownToken, "1 to 1000"},
		{"no token", request("k", ""), nil, "token: must not be empty"},
		{"no key", request("", TokenOK), nil, "idempotencyKey: must not be empty"},
		{"bad currency", gateways.ChargeRequest{IdempotencyKey: "k", Amount: billing.Money{Amount: 1, Currency: "XXX"}, Token: TokenOK}, nil, "currency:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, l := newSandbox(t)
			got, err := s.Charge(context.Background(), tt.req)
			if !gateways.IsPermanent(err) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) || !strings.Contains(fmt.Sprint(err), tt.wantMsg) {
				t.Errorf("Charge(%+v) = %+v, %v, want a permanent error containing %q", tt.req, got, err, tt.wantMsg)
			}
			if cs := charges(t, l); len(cs) != 0 {
				t.Errorf("Charges() = %+v, want none", cs)
			}
		})
	}
}

func TestChargeIdempotent(t *testing.T) {
	for _, token := range []string{TokenOK, TokenDecline, TokenInsufficientFunds, TokenAsync, TokenDeclineAfter(1)} {
		t.Run(token, func(t *testing.T) {
			s, l := newSandbox(t)
			ctx := context.Background()
			first, err := s.Charge(ctx, request("p/1", token))
			if err != nil {
				t.Fatalf("Charge(%q) = %v", token, err)
			}
			for range 3 {
				if got, err := s.Charge(ctx, request("p/1", token)); err != nil || !reflect.DeepEqual(got, first) {
					t.Errorf("Charge(%q) again = %+v, %v, want %+v, nil", token, got, err, first)
				}
			}
			if cs := charges(t, l); len(cs) != 1 {
				t.Errorf("Charges() = %+v, want one charge", cs)
			}
		})
	}
}

func TestChargeIdempotencyConflict(t *testing.T) {
	s, l := newSandbox(t)
	ctx := context.Background()
	first, err := s.Charge(ctx, request("p/1", TokenOK))
	if err != nil {
		t.Fatal(err)
	}
	other := func(f func(*gateways.ChargeRequest)) gateways.ChargeRequest {
		r := request("p/1", TokenOK)
		f(&r)
		return r
	}
	tests := []struct {
		name string
		req  gateways.ChargeRequest
	}{
		{"amount", other(func(r *gateways.ChargeRequest) { r.Amount.Amount++ })},
		{"currency", other(func(r *gateways.ChargeRequest) { r.Amount.Currency = "EUR" })},
		{"token", other(func(r *gateways.ChargeRequest) { r.Token = TokenDecline })},
		{"customer", other(func(r *gateways.ChargeRequest) { r.CustomerID = "cus_2" })},
	}
	for _, tt := range tests {
		got, err := s.Charge(ctx, tt.req)
		if !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrIdempotencyConflict) {
			t.Errorf("Charge(same key, other %s) = %+v, %v, want a permanent ErrIdempotencyConflict", tt.name, got, err)
		}
	}
	// The description is not part of the request's identity.
	r := request("p/1", TokenOK)
	r.Description = "changed"
	if got, err := s.Charge(ctx, r); err != nil || !reflect.DeepEqual(got, first) {
		t.Errorf("Charge(same key, other description) = %+v, %v, want %+v, nil", got, err, first)
	}
	if cs := charges(t, l); len(cs) != 1 {
		t.Errorf("Charges() = %+v, want one charge", cs)
	}
}

func TestChargeConcurrentSameKey(t *testing.T) {
	for _, token := range []string{TokenOK, TokenAsync, TokenDeclineAfter(1), TokenFlaky} {
		t.Run(token, func(t *testing.T) {
			s, l := newSandbox(t)
			var (
				wg      sync.WaitGroup
				results [20]gateways.ChargeResult
				errs    [20]error
			)
			for i := range 20 {
				wg.Go(func() {
					results[i], errs[i] = s.Charge(context.Background(), request("p/1", token))
				})
			}
			wg.Wait()
			var ok []gateways.ChargeResult
			for i, err := range errs {
				switch {
				case err == nil:
					ok = append(ok, results[i])
				case token == TokenFlaky && gateways.IsTransient(err):
				default:
					t.Errorf("Charge(%q) = %v, want nil", token, err)
				}
			}
			want := 20
			if token == TokenFlaky {
				want -= FlakyFailures // the first two calls, whichever they were
			}
			if len(ok) != want {
				t.Errorf("%d of 20 concurrent calls answered, want %d", len(ok), want)
			}
			for _, r := range ok[1:] {
				if !reflect.DeepEqual(r, ok[0]) {
					t.Errorf("Charge(%q) = %+v and %+v concurrently, want the same answer", token, r, ok[0])
				}
			}
			cs := charges(t, l)
			if len(cs) != 1 || cs[0].Reference != ok[0].Reference {
				t.Errorf("Charges() = %+v, want one charge, %s", cs, ok[0].Reference)
			}
		})
	}
}

func TestDeclineAfterN(t *testing.T) {
	s, l := newSandbox(t)
	ctx := context.Background()
	charge := func(key, customer, token string) gateways.ChargeResult {
		t.Helper()
		r := request(key, token)
		r.CustomerID = customer
		got, err := s.Charge(ctx, r)
		if err != nil {
			t.Fatalf("Charge(%s) = %v", key, err)
		}
		return got
	}
	three := TokenDeclineAfter(3)
	tests := []struct {
		key, customer, token string
		want                 gateways.Status
	}{
		{"a/1", "cus_a", three, gateways.Succeeded},
		{"a/2", "cus_a", three, gateways.Succeeded},
		{"a/1", "cus_a", three, gateways.Succeeded}, // a repeat does not count
		{"b/1", "cus_b", three, gateways.Succeeded}, // counted per customer
		{"a/3", "cus_a", three, gateways.Succeeded},
		{"a/4", "cus_a", three, gateways.Declined},
		{"a/5", "cus_a", three, gateways.Declined},
		{"a/2", "cus_a", three, gateways.Succeeded},                // still the stored answer
		{"a/6", "cus_a", TokenDeclineAfter(4), gateways.Succeeded}, // and per token
		{"a/7", "cus_a", TokenOK, gateways.Succeeded},
		{"a/8", "cus_a", three, gateways.Declined},
		{"b/2", "cus_b", three, gateways.Succeeded},
		{"b/3", "cus_b", three, gateways.Succeeded},
		{"b/4", "cus_b", three, gateways.Declined},
	}
	for _, tt := range tests {
		got := charge(tt.key, tt.customer, tt.token)
		wantCode := ""
		if tt.want == gateways.Declined {
			wantCode = "card_declined"
		}
		if got.Status != tt.want || got.DeclineCode != wantCode {
			t.Errorf("Charge(%s, %s, %s) = %+v, want %s %q", tt.key, tt.customer, tt.token, got, tt.want, wantCode)
		}
	}
	if n, err := l.SucceededWithToken(ctx, "cus_a", three); err != nil || n != 3 {
		t.Errorf("SucceededWithToken(cus_a, %s) = %d, %v, want 3, nil", three, n, err)
	}
	if cs := charges(t, l); len(cs) != 12 {
		t.Errorf("len(Charges()) = %d, want 12", len(cs))
	}
}

func TestFlaky(t *testing.T) {
	s, l := newSandbox(t)
	ctx := context.Background()
	var results []string
	for _, key := range []string{"p/1", "p/1", "p/1", "p/1", "p/2", "p/2", "p/2"} {
		got, err := s.Charge(ctx, request(key, TokenFlaky))
		switch {
		case gateways.IsTransient(err):
			results = append(results, key+" transient")
		case err != nil:
			t.Fatalf("Charge(%s) = %v, want nil or a transient error", key, err)
		default:
			results = append(results, key+" "+string(got.Status)+" "+got.Reference)
		}
	}
	cs := charges(t, l)
	if len(cs) != 2 {
		t.Fatalf("Charges() = %+v, want two charges", cs)
	}
	want := []string{
		"p/1 transient", "p/1 transient", "p/1 succeeded " + cs[0].Reference, "p/1 succeeded " + cs[0].Reference,
		"p/2 transient", "p/2 transient", "p/2 succeeded " + cs[1].Reference,
	}
	if !reflect.DeepEqual(results, want) {
		t.Errorf("Charge(sandbox_flaky) gave %q, want %q", results, want)
	}
}

// failingLedger fails every call, as a database that is down would.
type failingLedger struct{ Ledger }

var errDown = errors.New("database is down")

func (failingLedger) Record(context.Context, Charge) (Charge, bool, error) {
	return Charge{}, false, errDown
}
func (failingLedger) Attempt(context.Context, string) (int, error) { return 0, errDown }
func (failingLedger) SucceededWithToken(context.Context, string, string) (int, error) {
	return 0, errDown
}

func TestChargeLedgerDown(t *testing.T) {
	s, err := New(failingLedger{}, Options{BaseURL: baseURL, WebhookSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{TokenOK, TokenFlaky, TokenDeclineAfter(2), TokenAsync} {
		got, err := s.Charge(context.Background(), request("p/1", token))
		if !gateways.IsTransient(err) || !errors.Is(err, errDown) {
			t.Errorf("Charge(%q) = %+v, %v, want a transient error wrapping %v", token, got, err, errDown)
		}
	}
}

func TestLookup(t *testing.T) {
	ctx := context.Background()
	s, _ := newSandbox(t)
	pending, err := s.Charge(ctx, request("pay_1/1", TokenAsync))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(ctx, pending.Reference)
	if err != nil || got.Status != gateways.Pending || got.NextAction == nil {
		t.Errorf("Lookup(pending) = %+v, %v, want pending with its approval", got, err)
	}
	if _, _, _, err := s.Decide(ctx, pending.Reference, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Lookup(ctx, pending.Reference); err != nil || got.Status != gateways.Succeeded {
		t.Errorf("Lookup(approved) = %+v, %v, want succeeded", got, err)
	}
	declined, err := s.Charge(ctx, request("pay_2/1", TokenDecline))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Lookup(ctx, declined.Reference); err != nil || got.Status != gateways.Declined || got.DeclineCode != gateways.CodeCardDeclined {
		t.Errorf("Lookup(declined) = %+v, %v, want declined with card_declined", got, err)
	}
	_, err = s.Lookup(ctx, "sbx_forged")
	if !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrUnknownCharge) {
		t.Errorf("Lookup(unknown) = %v, want a permanent ErrUnknownCharge", err)
	}
}

// The sandbox lists its ledger's charges, oldest first.
func TestCharges(t *testing.T) {
	s, l := newSandbox(t)
	ctx := context.Background()
	for _, key := range []string{"p/1", "p/2"} {
		if _, err := s.Charge(ctx, request(key, TokenOK)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Charges(ctx)
	if want := charges(t, l); err != nil || !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Errorf("Charges() = %+v, %v, want the ledger's %+v", got, err, want)
	}
}

// Find reports the charge recorded under a key, as it stands now, and a
// key never taken as a permanent ErrUnknownCharge.
func TestFind(t *testing.T) {
	ctx := context.Background()
	s, _ := newSandbox(t)
	pending, err := s.Charge(ctx, request("pay_1/1", TokenAsync))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Decide(ctx, pending.Reference, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Find(ctx, "pay_1/1"); err != nil || got.Status != gateways.Succeeded || got.Reference != pending.Reference {
		t.Errorf("Find(approved) = %+v, %v, want succeeded as %s", got, err, pending.Reference)
	}
	_, err = s.Find(ctx, "pay_1/2")
	if !gateways.IsPermanent(err) || !errors.Is(err, gateways.ErrUnknownCharge) {
		t.Errorf("Find(a key never taken) = %v, want a permanent ErrUnknownCharge", err)
	}
}
