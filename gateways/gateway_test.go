package gateways

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/billgate/billgate/billing"
)

func TestChargeRequestValidate(t *testing.T) {
	valid := ChargeRequest{
		IdempotencyKey: "pay_1/1",
		Amount:         billing.Money{Amount: 1234, Currency: "USD"},
		Token:          "tok",
		CustomerID:     "cus_1",
	}
	with := func(f func(*ChargeRequest)) ChargeRequest {
		r := valid
		f(&r)
		return r
	}
	tests := []struct {
		name      string
		req       ChargeRequest
		wantField string // empty means valid
	}{
		{"valid", valid, ""},
		{"no customer or description", with(func(r *ChargeRequest) { r.CustomerID = "" }), ""},
		{"key of 255 bytes", with(func(r *ChargeRequest) { r.IdempotencyKey = strings.Repeat("k", 255) }), ""},
		{"JPY", with(func(r *ChargeRequest) { r.Amount = billing.Money{Amount: 1, Currency: "JPY"} }), ""},
		{"empty key", with(func(r *ChargeRequest) { r.IdempotencyKey = "" }), "idempotencyKey"},
		{"key of 256 bytes", with(func(r *ChargeRequest) { r.IdempotencyKey = strings.Repeat("k", 256) }), "idempotencyKey"},
		{"zero amount", with(func(r *ChargeRequest) { r.Amount.Amount = 0 }), "amount"},
		{"negative amount", with(func(r *ChargeRequest) { r.Amount.Amount = -1 }), "amount"},
		{"unknown currency", with(func(r *ChargeRequest) { r.Amount.Currency = "ABC" }), "currency"},
		{"lower-case currency", with(func(r *ChargeRequest) { r.Amount.Currency = "usd" }), "currency"},
		{"no currency", with(func(r *ChargeRequest) { r.Amount.Currency = "" }), "currency"},
		{"empty token", with(func(r *ChargeRequest) { r.Token = "" }), "token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Errorf("Validate(%+v) = %v, want nil", tt.req, err)
				}
				return
			}
			fe, ok := errors.AsType[*billing.FieldError](err)
			if !ok || fe.Field != tt.wantField {
				t.Errorf("Validate(%+v) = %v, want a *billing.FieldError on %q", tt.req, err, tt.wantField)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	tests := []struct {
		id      string
		attempt int
		want    string
	}{
		{"0190a5b2-7c1e-7d3a-9f00-1234567890ab", 1, "0190a5b2-7c1e-7d3a-9f00-1234567890ab/1"},
		{"p", 12, "p/12"},
	}
	for _, tt := range tests {
		if got := IdempotencyKey(tt.id, tt.attempt); got != tt.want {
			t.Errorf("IdempotencyKey(%q, %d) = %q, want %q", tt.id, tt.attempt, got, tt.want)
		}
	}
}

func TestStatusValid(t *testing.T) {
	tests := []struct {
		s    Status
		want bool
	}{
		{Succeeded, true}, {Pending, true}, {Declined, true},
		{"", false}, {"Succeeded", false}, {"failed", false},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(); got != tt.want {
			t.Errorf("Status(%q).Valid() = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	cause := errors.New("connection reset")
	tests := []struct {
		name          string
		err           error
		wantTransient bool
		wantPermanent bool
		wantMsg       string
	}{
		{"transient", Transient("stripe", cause), true, false, "stripe gateway: transient error: connection reset"},
		{"permanent", Permanent("paypal", cause), false, true, "paypal gateway: permanent error: connection reset"},
		{"wrapped transient", fmt.Errorf("charge p/1: %w", Transient("sandbox", cause)), true, false, "charge p/1: sandbox gateway: transient error: connection reset"},
		{"wrapped permanent", fmt.Errorf("charge p/1: %w", Permanent("sandbox", cause)), false, true, "charge p/1: sandbox gateway: permanent error: connection reset"},
		{"nil cause", Permanent("sandbox", nil), false, true, "sandbox gateway: permanent error: unknown error"},
		{"unclassified", cause, false, false, "connection reset"},
		{"context", context.DeadlineExceeded, false, false, "context deadline exceeded"},
		{"zero kind", &Error{Gateway: "x", Err: cause}, false, false, "x gateway: ErrorKind(0) error: connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTransient(tt.err); got != tt.wantTransient {
				t.Errorf("IsTransient(%v) = %v, want %v", tt.err, got, tt.wantTransient)
			}
			if got := IsPermanent(tt.err); got != tt.wantPermanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.wantPermanent)
			}
			if got := tt.err.Error(); got != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got, tt.wantMsg)
			}
		})
	}
	if IsTransient(nil) || IsPermanent(nil) {
		t.Errorf("IsTransient(nil), IsPermanent(nil) = %v, %v, want false, false", IsTransient(nil), IsPermanent(nil))
	}
	if err := Transient("sandbox", io.ErrUnexpectedEOF); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = false, want true", err)
	}
}

// fakeGateway is a name to register: the registry never calls a gateway.
type fakeGateway string

func (g fakeGateway) Name() string { return string(g) }
func (g fakeGateway) Charge(context.Context, ChargeRequest) (ChargeResult, error) {
	return ChargeResult{Status: Succeeded, Reference: string(g) + "_1"}, nil
}
func (g fakeGateway) Lookup(context.Context, string) (ChargeResult, error) {
	return ChargeResult{Status: Succeeded, Reference: string(g) + "_1"}, nil
}
func (g fakeGateway) Find(context.Context, string) (ChargeResult, error) {
	return ChargeResult{Status: Succeeded, Reference: string(g) + "_1"}, nil
}
func (g fakeGateway) Void(context.Context, VoidRequest) (ChargeResult, error) {
	return ChargeResult{Status: Voided, Reference: string(g) + "_1"}, nil
}
func (g fakeGateway) Refund(context.Context, RefundRequest) (RefundResult, error) {
	return RefundResult{Reference: string(g) + "_r1"}, nil
}

func TestRegistry(t *testing.T) {
	var r Registry
	if got := r.Names(); len(got) != 0 {
		t.Errorf("Names() of the zero Registry = %q, want none", got)
	}
	if g, ok := r.Get("sandbox"); ok {
		t.Errorf("Get(%q) of the zero Registry = %v, true, want nil, false", "sandbox", g)
	}
	for _, name := range []string{"stripe", "sandbox", "paypal", "skrill", "s3-x_1"} {
		if err := r.Register(fakeGateway(name)); err != nil {
			t.Fatalf("Register(%q) = %v, want nil", name, err)
		}
	}
	if got, want := r.Names(), []string{"paypal", "s3-x_1", "sandbox", "skrill", "stripe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if g, ok := r.Get("stripe"); !ok || g.Name() != "stripe" {
		t.Errorf("Get(%q) = %v, %v, want the stripe gateway, true", "stripe", g, ok)
	}
	if g, ok := r.Get("Stripe"); ok {
		t.Errorf("Get(%q) = %v, true, want nil, false (names are case-sensitive)", "Stripe", g)
	}

	bad := []struct {
		name    string
		g       Gateway
		wantErr string
	}{
		{"duplicate", fakeGateway("stripe"), "already registered"},
		{"nil", nil, "nil gateway"},
		{"empty name", fakeGateway(""), "a name is"},
		{"upper case", fakeGateway("Stripe2"), "a name is"},
		{"slash", fakeGateway("a/b"), "a name is"},
		{"leading digit", fakeGateway("2checkout"), "a name is"},
		{"space", fakeGateway("pay pal"), "a name is"},
	}
	for _, tt := range bad {
		if err := r.Register(tt.g); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Register(%s) = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
	if got := len(r.Names()); got != 5 {
		t.Errorf("len(Names()) after refused registrations = %d, want 5", got)
	}
}

func TestRegistryConcurrent(t *testing.T) {
	var r Registry
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_ = r.Register(fakeGateway(fmt.Sprintf("g%d", i%10)))
			r.Get("g1")
			r.Names()
		})
	}
	wg.Wait()
	if got := len(r.Names()); got != 10 {
		t.Errorf("len(Names()) = %d, want 10", got)
	}
}
