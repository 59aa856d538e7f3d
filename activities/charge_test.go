package activities

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
)

func TestCharge(t *testing.T) {
	sb, err := sandbox.New(sandbox.NewMemoryLedger(), sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	var reg gateways.Registry
	if err := reg.Register(sb); err != nil {
		t.Fatal(err)
	}
	a := &Activities{Gateways: &reg}
	charge := func(gateway, key, token string) (ChargeResult, error) {
		return a.Charge(context.Background(), ChargeInput{Gateway: gateway, Request: gateways.ChargeRequest{
			IdempotencyKey: key, Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: token, CustomerID: "cus_1"}})
	}
	errType := func(err error) (string, bool) {
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) {
			return "", false
		}
		return appErr.Type(), appErr.NonRetryable()
	}

	if res, err := charge(sandbox.Name, "k1", sandbox.TokenOK); err != nil || res.Pending || res.Reference == "" {
		t.Errorf("sandbox_ok = %+v, %v", res, err)
	}
	if res, err := charge(sandbox.Name, "k2", sandbox.TokenAsync); err != nil || !res.Pending || res.ApprovalURL == "" {
		t.Errorf("sandbox_async = %+v, %v, want pending with an approval URL", res, err)
	}
	_, err = charge(sandbox.Name, "k3", sandbox.TokenInsufficientFunds)
	if typ, nonRetryable := errType(err); typ != ErrTypeDeclined || !nonRetryable {
		t.Errorf("a decline = %v, want a non-retryable %s", err, ErrTypeDeclined)
	}
	var appErr *temporal.ApplicationError
	var code string
	if errors.As(err, &appErr) && appErr.Details(&code) == nil && code != gateways.CodeInsufficientFunds {
		t.Errorf("decline code = %q, want %q", code, gateways.CodeInsufficientFunds)
	}
	for _, tt := range []struct{ gateway, token string }{{sandbox.Name, "no_such_token"}, {"nowhere", sandbox.TokenOK}} {
		_, err := charge(tt.gateway, "k4", tt.token)
		if typ, nonRetryable := errType(err); typ != ErrTypeGatewayPermanent || !nonRetryable {
			t.Errorf("charge(%s, %s) = %v, want a non-retryable %s", tt.gateway, tt.token, err, ErrTypeGatewayPermanent)
		}
	}
	_, err = charge(sandbox.Name, "k5", sandbox.TokenFlaky)
	if _, nonRetryable := errType(err); err == nil || nonRetryable {
		t.Errorf("a transient failure = %v, want a retryable error", err)
	}
}
