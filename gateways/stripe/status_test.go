package stripe

import (
	"reflect"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// docs.stripe.com/payments/paymentintents/lifecycle: each status of a
// PaymentIntent as billgate reads it.
func TestResult(t *testing.T) {
	redirect := &stripeapi.PaymentIntentNextAction{Type: "redirect_to_url", RedirectToURL: &stripeapi.PaymentIntentNextActionRedirectToURL{URL: "https://hooks.stripe.com/3ds"}}
	declined := &stripeapi.Error{Type: stripeapi.ErrorTypeCard, Code: "card_declined", DeclineCode: "insufficient_funds"}
	tests := []struct {
		name string
		pi   stripeapi.PaymentIntent
		want gateways.ChargeResult
	}{
		{"succeeded", stripeapi.PaymentIntent{Status: "succeeded"}, gateways.ChargeResult{Status: gateways.Succeeded}},
		{"requires_action with a redirect", stripeapi.PaymentIntent{Status: "requires_action", NextAction: redirect},
			gateways.ChargeResult{Status: gateways.Pending, NextAction: &gateways.NextAction{Type: gateways.NextActionRedirect, URL: "https://hooks.stripe.com/3ds"}}},
		{"requires_action for Stripe.js", stripeapi.PaymentIntent{Status: "requires_action", NextAction: &stripeapi.PaymentIntentNextAction{Type: "use_stripe_sdk"}},
			gateways.ChargeResult{Status: gateways.Pending}},
		{"requires_action with a hosted voucher", stripeapi.PaymentIntent{Status: "requires_action", NextAction: &stripeapi.PaymentIntentNextAction{
			Type: "oxxo_display_details", OXXODisplayDetails: &stripeapi.PaymentIntentNextActionOXXODisplayDetails{HostedVoucherURL: "https://payments.stripe.com/oxxo"}}},
			gateways.ChargeResult{Status: gateways.Pending, NextAction: &gateways.NextAction{Type: gateways.NextActionRedirect, URL: "https://payments.stripe.com/oxxo"}}},
		{"processing", stripeapi.PaymentIntent{Status: "processing"}, gateways.ChargeResult{Status: gateways.Pending}},
		{"declined", stripeapi.PaymentIntent{Status: "requires_payment_method", LastPaymentError: declined},
			gateways.ChargeResult{Status: gateways.Declined, DeclineCode: "insufficient_funds"}},
		{"canceled by billgate", stripeapi.PaymentIntent{Status: "canceled", CancellationReason: "abandoned"}, gateways.ChargeResult{Status: gateways.Voided}},
		{"canceled by Stripe after failures", stripeapi.PaymentIntent{Status: "canceled", CancellationReason: "automatic", LastPaymentError: declined},
			gateways.ChargeResult{Status: gateways.Declined, DeclineCode: "insufficient_funds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pi.ID, tt.want.Reference = "pi_1", "pi_1"
			if got := result(&tt.pi); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result(%s) = %+v, want %+v", tt.pi.Status, got, tt.want)
			}
		})
	}
}

// docs.stripe.com/declines/codes and docs.stripe.com/error-codes.
func TestFailureCode(t *testing.T) {
	tests := []struct {
		err  *stripeapi.Error
		want string
	}{
		{nil, gateways.CodeCardDeclined},
		{&stripeapi.Error{Code: "card_declined", DeclineCode: "generic_decline"}, gateways.CodeCardDeclined},
		{&stripeapi.Error{Code: "card_declined", DeclineCode: "insufficient_funds"}, gateways.CodeInsufficientFunds},
		{&stripeapi.Error{Code: "expired_card"}, "expired_card"},
		{&stripeapi.Error{Code: "authentication_required", DeclineCode: "authentication_required"}, "authentication_required"},
		{&stripeapi.Error{Code: "payment_intent_authentication_failure"}, gateways.CodeApprovalDeclined},
		{&stripeapi.Error{Type: stripeapi.ErrorTypeCard}, gateways.CodeCardDeclined},
	}
	for _, tt := range tests {
		if got := failureCode(tt.err); got != tt.want {
			t.Errorf("failureCode(%+v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// docs.stripe.com/api/refunds/object: status.
func TestRefundResult(t *testing.T) {
	tests := []struct {
		re   stripeapi.Refund
		want gateways.RefundResult
	}{
		{stripeapi.Refund{Status: "succeeded"}, gateways.RefundResult{Status: gateways.RefundSucceeded}},
		{stripeapi.Refund{Status: "pending"}, gateways.RefundResult{Status: gateways.RefundPending}},
		{stripeapi.Refund{Status: "requires_action"}, gateways.RefundResult{Status: gateways.RefundPending}},
		{stripeapi.Refund{Status: "failed", FailureReason: "expired_or_canceled_card"}, gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "expired_or_canceled_card"}},
		{stripeapi.Refund{Status: "canceled"}, gateways.RefundResult{Status: gateways.RefundFailed, FailureReason: "canceled"}},
	}
	for _, tt := range tests {
		tt.re.ID, tt.want.Reference = "re_1", "re_1"
		if got := refundResult(&tt.re); got != tt.want {
			t.Errorf("refundResult(%s) = %+v, want %+v", tt.re.Status, got, tt.want)
		}
	}
}

// docs.stripe.com/search#search-query-language: quotes and backslashes in a
// value are escaped with a backslash.
func TestSearchQuery(t *testing.T) {
	tests := []struct{ value, want string }{
		{"pay_1/1", `metadata['billgate_idempotency_key']:'pay_1/1'`},
		{`it's`, `metadata['billgate_idempotency_key']:'it\'s'`},
		{`a\b`, `metadata['billgate_idempotency_key']:'a\\b'`},
	}
	for _, tt := range tests {
		if got := searchQuery(MetadataIdempotencyKey, tt.value); got != tt.want {
			t.Errorf("searchQuery(%q) = %s, want %s", tt.value, got, tt.want)
		}
	}
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		token        string
		wantCustomer string
		wantMethod   string
	}{
		{"cus_Q1a/pm_1Qb", "cus_Q1a", "pm_1Qb"},
		{"pm_1Qb", "", ""},
		{"cus_Q1a/", "", ""},
		{"/pm_1Qb", "", ""},
		{"cus_Q1a/card_1Qb", "", ""},
		{"cus_Q1a/pm_1Qb/x", "", ""},
		{"cus_../pm_1", "", ""},
	}
	for _, tt := range tests {
		cus, pm, err := parseToken(tt.token)
		if cus != tt.wantCustomer || pm != tt.wantMethod || (err != nil) != (tt.wantCustomer == "") {
			t.Errorf("parseToken(%q) = %q, %q, %v; want %q, %q", tt.token, cus, pm, err, tt.wantCustomer, tt.wantMethod)
		}
	}
}
