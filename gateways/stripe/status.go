package stripe

import (
	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/billgate/billgate/gateways"
)

// result is a PaymentIntent as billgate sees a charge
// (docs.stripe.com/payments/paymentintents/lifecycle):
//
//   - succeeded is Succeeded;
//   - requires_action is Pending, with the redirect Stripe gives when there
//     is one; processing (and requires_confirmation or requires_capture,
//     which billgate's confirmed, automatically captured intents never
//     reach) are Pending too;
//   - requires_payment_method after a failed attempt is Declined, with the
//     code of last_payment_error;
//   - canceled is Voided, unless Stripe canceled it itself after a failed
//     attempt (too many failures): then Declined.
func result(pi *stripeapi.PaymentIntent) gateways.ChargeResult {
	r := gateways.ChargeResult{Reference: pi.ID}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded:
		r.Status = gateways.Succeeded
	case stripeapi.PaymentIntentStatusRequiresAction:
		r.Status = gateways.Pending
		if u := actionURL(pi.NextAction); u != "" {
			r.NextAction = &gateways.NextAction{Type: gateways.NextActionRedirect, URL: u}
		}
	case stripeapi.PaymentIntentStatusRequiresPaymentMethod:
		r.Status, r.DeclineCode = gateways.Declined, failureCode(pi.LastPaymentError)
	case stripeapi.PaymentIntentStatusCanceled:
		r.Status = gateways.Voided
		if pi.LastPaymentError != nil && pi.CancellationReason == stripeapi.PaymentIntentCancellationReasonAutomatic {
			r.Status, r.DeclineCode = gateways.Declined, failureCode(pi.LastPaymentError)
		}
	default:
		r.Status = gateways.Pending
	}
	return r
}

// actionURL is where the payer completes a PaymentIntent's next action:
// next_action.redirect_to_url.url for a redirect, else the hosted page of a
// method that has one (a voucher or bank-transfer instructions). An action
// for Stripe.js alone (use_stripe_sdk) has no URL.
func actionURL(na *stripeapi.PaymentIntentNextAction) string {
	switch {
	case na == nil:
		return ""
	case na.RedirectToURL != nil && na.RedirectToURL.URL != "":
		return na.RedirectToURL.URL
	case na.DisplayBankTransferInstructions != nil:
		return na.DisplayBankTransferInstructions.HostedInstructionsURL
	case na.BoletoDisplayDetails != nil:
		return na.BoletoDisplayDetails.HostedVoucherURL
	case na.OXXODisplayDetails != nil:
		return na.OXXODisplayDetails.HostedVoucherURL
	case na.KonbiniDisplayDetails != nil:
		return na.KonbiniDisplayDetails.HostedVoucherURL
	case na.MultibancoDisplayDetails != nil:
		return na.MultibancoDisplayDetails.HostedVoucherURL
	}
	return ""
}

// failureCode is the decline code billgate records for a failed attempt:
// Stripe's decline_code, else its error code (docs.stripe.com/declines/codes,
// docs.stripe.com/error-codes). Stripe's generic_decline is billgate's
// card_declined, and a failed 3-D Secure challenge
// (payment_intent_authentication_failure) is the payer refusing at the
// gateway's page, approval_declined. An attempt that failed without a code
// is card_declined.
func failureCode(e *stripeapi.Error) string {
	if e == nil {
		return gateways.CodeCardDeclined
	}
	code := string(e.DeclineCode)
	if code == "" {
		code = string(e.Code)
	}
	switch code {
	case "", "generic_decline":
		return gateways.CodeCardDeclined
	case string(stripeapi.ErrorCodePaymentIntentAuthenticationFailure):
		return gateways.CodeApprovalDeclined
	}
	return code
}
