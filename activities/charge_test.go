package activities

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

// sandboxActivities are activities over a sandbox gateway alone.
func sandboxActivities(t *testing.T) (*Activities, *sandbox.Sandbox) {
	t.Helper()
	return sandboxActivitiesOn(t, sandbox.NewMemoryLedger())
}

// sandboxActivitiesOn are activities over a sandbox gateway that keeps its
// charges in ledger.
func sandboxActivitiesOn(t *testing.T, ledger sandbox.Ledger) (*Activities, *sandbox.Sandbox) {
	t.Helper()
	sb, err := sandbox.New(ledger, sandbox.Options{BaseURL: "http://localhost:8080", WebhookSecret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	var reg gateways.Registry
	if err := reg.Register(sb); err != nil {
		t.Fatal(err)
	}
	return &Activities{Gateways: gateways.Router{Local: &reg}}, sb
}

// errType is the type of a Temporal application error, and whether it is
// non-retryable.
func errType(err error) (string, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", false
	}
	return appErr.Type(), appErr.NonRetryable()
}

var customerID = uuid.MustParse("0195e7a0-0000-7000-8000-000000000001")

func TestCharge(t *testing.T) {
	a, _ := sandboxActivities(t)
	charge := func(gateway, key, token string) (ChargeResult, error) {
		return a.Charge(context.Background(), ChargeInput{Gateway: gateway, IdempotencyKey: key,
			Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: token, CustomerID: customerID})
	}
	if res, err := charge(sandbox.Name, "k1", sandbox.TokenOK); err != nil || res.Pending || res.Reference == "" {
		t.Errorf("sandbox_ok = %+v, %v", res, err)
	}
	if res, err := charge(sandbox.Name, "k2", sandbox.TokenAsync); err != nil || !res.Pending || res.ApprovalURL == "" {
		t.Errorf("sandbox_async = %+v, %v, want pending with an approval URL", res, err)
	}
	_, err := charge(sandbox.Name, "k3", sandbox.TokenInsufficientFunds)
	if typ, nonRetryable := errType(err); typ != ErrTypeDeclined || !nonRetryable {
		t.Errorf("a decline = %v, want a non-retryable %s", err, ErrTypeDeclined)
	}
	if code := declineCodeOf(err); code != gateways.CodeInsufficientFunds {
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

// declineCodeOf is the decline code an ErrTypeDeclined error carries.
func declineCodeOf(err error) string {
	var appErr *temporal.ApplicationError
	var code string
	if errors.As(err, &appErr) && appErr.HasDetails() {
		_ = appErr.Details(&code)
	}
	return code
}

// A saved payment method is charged while it exists. Once deleted, a new
// attempt is declined with CodePaymentMethodRemoved and the gateway never
// sees it, while a retry of an attempt the gateway already took answers as
// the gateway did (issue 10, hole 7).
func TestChargeDeletedPaymentMethod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		card := savedCard(t, s)
		a, _ := sandboxActivitiesOn(t, sandbox.NewDatabaseLedger(s))
		a.Store = s
		charge := func(key string) (ChargeResult, error) {
			return a.Charge(ctx, ChargeInput{Gateway: card.Gateway, PaymentMethodID: card.ID, IdempotencyKey: key,
				Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: card.Token, CustomerID: card.CustomerID})
		}
		taken, err := charge("k1")
		if err != nil {
			t.Fatalf("charge the saved method = %v", err)
		}
		if err := s.DeletePaymentMethod(ctx, card.CustomerID, card.ID); err != nil {
			t.Fatal(err)
		}

		_, err = charge("k2")
		if typ, nonRetryable := errType(err); typ != ErrTypeDeclined || !nonRetryable || declineCodeOf(err) != gateways.CodePaymentMethodRemoved {
			t.Errorf("charge the deleted method = %v (code %q), want a non-retryable %s with %s", err, declineCodeOf(err), ErrTypeDeclined, gateways.CodePaymentMethodRemoved)
		}
		if again, err := charge("k1"); err != nil || again.Reference != taken.Reference {
			t.Errorf("retry of the charge taken before the delete = %+v, %v, want %s", again, err, taken.Reference)
		}
		charges, err := sandbox.NewDatabaseLedger(s).Charges(ctx)
		if err != nil || len(charges) != 1 || charges[0].Key != "k1" {
			t.Errorf("ledger = %+v, %v, want only the charge made before the delete", charges, err)
		}
	})
}

// shopAndCustomer creates a business, shop, and its customer bob.
func shopAndCustomer(t *testing.T, s *models.Store) (shop, bob *models.Client) {
	t.Helper()
	ctx := context.Background()
	shop = &models.Client{Login: "shop", PasswordHash: "x"}
	if err := s.CreateClient(ctx, shop, "business"); err != nil {
		t.Fatal(err)
	}
	bob = &models.Client{TenantID: &shop.ID, Login: "bob", PasswordHash: "x"}
	if err := s.CreateClient(ctx, bob, "customer"); err != nil {
		t.Fatal(err)
	}
	return shop, bob
}

// savedCard is a sandbox_ok card saved for a customer of a shop.
func savedCard(t *testing.T, s *models.Store) *models.PaymentMethod {
	t.Helper()
	ctx := context.Background()
	shop, bob := shopAndCustomer(t, s)
	card := &models.PaymentMethod{TenantID: shop.ID, CustomerID: bob.ID, Gateway: sandbox.Name, Token: sandbox.TokenOK}
	if err := s.AddPaymentMethod(ctx, card); err != nil {
		t.Fatal(err)
	}
	return card
}

func TestLookupCharge(t *testing.T) {
	ctx := context.Background()
	a, sb := sandboxActivities(t)
	pending, err := sb.Charge(ctx, gateways.ChargeRequest{IdempotencyKey: "k1", Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: sandbox.TokenAsync, CustomerID: "cus_1"})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(gateway, reference string) (LookupResult, error) {
		return a.LookupCharge(ctx, LookupInput{Gateway: gateway, Reference: reference})
	}
	if got, err := lookup(sandbox.Name, pending.Reference); err != nil || got.Status != gateways.Pending {
		t.Errorf("LookupCharge(pending) = %+v, %v, want pending", got, err)
	}
	if _, _, _, err := sb.Decide(ctx, pending.Reference, false); err != nil {
		t.Fatal(err)
	}
	if got, err := lookup(sandbox.Name, pending.Reference); err != nil || got.Status != gateways.Declined || got.DeclineCode != gateways.CodeApprovalDeclined {
		t.Errorf("LookupCharge(declined) = %+v, %v, want declined with %s", got, err, gateways.CodeApprovalDeclined)
	}
	for _, tt := range []struct{ gateway, reference string }{{sandbox.Name, "sbx_forged"}, {"nowhere", pending.Reference}} {
		_, err := lookup(tt.gateway, tt.reference)
		if typ, nonRetryable := errType(err); typ != ErrTypeGatewayPermanent || !nonRetryable {
			t.Errorf("LookupCharge(%s, %s) = %v, want a non-retryable %s", tt.gateway, tt.reference, err, ErrTypeGatewayPermanent)
		}
	}
}

// FindCharge answers for a key as Charge answered for it; a key the
// gateway never took is a non-retryable ErrTypeUnknownCharge.
func TestFindCharge(t *testing.T) {
	ctx := context.Background()
	a, sb := sandboxActivities(t)
	request := func(key, token string) gateways.ChargeRequest {
		return gateways.ChargeRequest{IdempotencyKey: key, Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: token, CustomerID: "cus_1"}
	}
	paid, err := sb.Charge(ctx, request("k1", sandbox.TokenOK))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Charge(ctx, request("k2", sandbox.TokenDecline)); err != nil {
		t.Fatal(err)
	}
	find := func(gateway, key string) (ChargeResult, error) {
		return a.FindCharge(ctx, FindInput{Gateway: gateway, IdempotencyKey: key})
	}
	if got, err := find(sandbox.Name, "k1"); err != nil || got.Pending || got.Reference != paid.Reference {
		t.Errorf("FindCharge(paid) = %+v, %v, want %s", got, err, paid.Reference)
	}
	for _, tt := range []struct{ gateway, key, want string }{
		{sandbox.Name, "k2", ErrTypeDeclined}, {sandbox.Name, "k3", ErrTypeUnknownCharge}, {"nowhere", "k1", ErrTypeGatewayPermanent},
	} {
		_, err := find(tt.gateway, tt.key)
		if typ, nonRetryable := errType(err); typ != tt.want || !nonRetryable {
			t.Errorf("FindCharge(%s, %s) = %v, want a non-retryable %s", tt.gateway, tt.key, err, tt.want)
		}
	}
}

// A void and a refund, each repeated as a retry would, leave one void and
// one refund in the ledger; a charge the payer settled first is reported,
// not voided.
func TestVoidAndRefundCharge(t *testing.T) {
	ctx := context.Background()
	ledger := sandbox.NewMemoryLedger()
	a, _ := sandboxActivitiesOn(t, ledger)
	charge := func(key, token string) string {
		res, err := a.Charge(ctx, ChargeInput{Gateway: sandbox.Name, IdempotencyKey: key,
			Amount: billing.Money{Amount: 500, Currency: "EUR"}, Token: token, CustomerID: customerID})
		if err != nil {
			t.Fatal(err)
		}
		return res.Reference
	}
	pending, paid := charge("pay_1/1", sandbox.TokenAsync), charge("pay_2/1", sandbox.TokenOK)
	for i := range 2 {
		res, err := a.VoidCharge(ctx, SettleInput{Gateway: sandbox.Name, Reference: pending, IdempotencyKey: gateways.VoidKey("pay_1/1")})
		if err != nil || res.Status != gateways.Voided {
			t.Errorf("VoidCharge(pending) call %d = %+v, %v, want voided", i+1, res, err)
		}
	}
	if res, err := a.VoidCharge(ctx, SettleInput{Gateway: sandbox.Name, Reference: paid, IdempotencyKey: gateways.VoidKey("pay_2/1")}); err != nil || res.Status != gateways.Succeeded {
		t.Errorf("VoidCharge(succeeded) = %+v, %v, want it reported succeeded", res, err)
	}
	var refunds []string
	for range 2 {
		ref, err := a.RefundCharge(ctx, SettleInput{Gateway: sandbox.Name, Reference: paid, IdempotencyKey: gateways.RefundKey("pay_2/1")})
		if err != nil {
			t.Fatal(err)
		}
		refunds = append(refunds, ref)
	}
	if refunds[0] == "" || refunds[0] != refunds[1] {
		t.Errorf("refunds = %q, want one", refunds)
	}
	_, err := a.RefundCharge(ctx, SettleInput{Gateway: sandbox.Name, Reference: pending, IdempotencyKey: gateways.RefundKey("pay_1/1")})
	if typ, nonRetryable := errType(err); typ != ErrTypeGatewayPermanent || !nonRetryable {
		t.Errorf("RefundCharge(voided) = %v, want a non-retryable %s", err, ErrTypeGatewayPermanent)
	}
	_, err = a.VoidCharge(ctx, SettleInput{Gateway: sandbox.Name, Reference: "sbx_unknown", IdempotencyKey: "k"})
	if typ, nonRetryable := errType(err); typ != ErrTypeGatewayPermanent || !nonRetryable {
		t.Errorf("VoidCharge(unknown) = %v, want a non-retryable %s", err, ErrTypeGatewayPermanent)
	}
	charges, _ := ledger.Charges(ctx)
	if len(charges) != 2 || charges[0].Status != gateways.Voided || charges[0].VoidKey != "pay_1/1/void" || charges[1].RefundKey != "pay_2/1/refund" {
		t.Errorf("ledger = %+v, want the pending charge voided and the paid one refunded, once each", charges)
	}
}

// The activity builds the gateway's request from the payment, and an
// attempt scheduled with a request of its own (by workflow code from before
// the activity built it) is charged as it was asked.
func TestChargeBuildsTheGatewayRequest(t *testing.T) {
	ctx := context.Background()
	ledger := sandbox.NewMemoryLedger()
	a, _ := sandboxActivitiesOn(t, ledger)
	invoiceID := uuid.MustParse("0195e7a0-0000-7000-8000-0000000000aa")
	in := ChargeInput{Gateway: sandbox.Name, IdempotencyKey: "pay_1/1", PaymentID: uuid.New(), InvoiceID: invoiceID,
		CustomerID: customerID, Token: sandbox.TokenOK, Amount: billing.Money{Amount: 1200, Currency: "USD"}}
	if _, err := a.Charge(ctx, in); err != nil {
		t.Fatal(err)
	}
	legacy := []byte(`{"Gateway":"sandbox","PaymentMethodID":"00000000-0000-0000-0000-000000000000",
		"Request":{"IdempotencyKey":"pay_0/1","Amount":{"Amount":700,"Currency":"EUR"},"Token":"sandbox_ok","CustomerID":"cus_old","Description":""}}`)
	var old ChargeInput
	if err := json.Unmarshal(legacy, &old); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Charge(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, want := range []sandbox.Charge{
		{Key: "pay_1/1", Amount: in.Amount, Token: sandbox.TokenOK, CustomerID: customerID.String(), Description: "Invoice " + invoiceID.String()},
		{Key: "pay_0/1", Amount: billing.Money{Amount: 700, Currency: "EUR"}, Token: sandbox.TokenOK, CustomerID: "cus_old"},
	} {
		got, err := ledger.ByKey(ctx, want.Key)
		if err != nil {
			t.Fatalf("%s: %v", want.Key, err)
		}
		if got.Amount != want.Amount || got.Token != want.Token || got.CustomerID != want.CustomerID || got.Description != want.Description || got.Status != gateways.Succeeded {
			t.Errorf("the charge under %s = %+v, want %+v succeeded", want.Key, got, want)
		}
	}
}
