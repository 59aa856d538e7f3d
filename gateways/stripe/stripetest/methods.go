package stripetest

// Stripe's test PaymentMethods (docs.stripe.com/testing, "Cards by brand",
// "Declined payments", "Authentication and setup", "Disputes", "Refunds", and
// docs.stripe.com/payments/ach-direct-debit/accept-a-payment, "Test
// account numbers"). Each ID works in any request that takes a
// PaymentMethod; attached to a Customer it becomes a PaymentMethod of its
// own (pm_…) that behaves the same.
const (
	// MethodVisa succeeds.
	MethodVisa = "pm_card_visa"
	// MethodMastercard succeeds.
	MethodMastercard = "pm_card_mastercard"
	// MethodDeclined is declined: card_declined, generic_decline.
	MethodDeclined = "pm_card_visa_chargeDeclined"
	// MethodInsufficientFunds is declined: card_declined, insufficient_funds.
	MethodInsufficientFunds = "pm_card_visa_chargeDeclinedInsufficientFunds"
	// MethodLostCard is declined: card_declined, lost_card.
	MethodLostCard = "pm_card_visa_chargeDeclinedLostCard"
	// MethodStolenCard is declined: card_declined, stolen_card.
	MethodStolenCard = "pm_card_visa_chargeDeclinedStolenCard"
	// MethodExpiredCard is declined: expired_card.
	MethodExpiredCard = "pm_card_chargeDeclinedExpiredCard"
	// MethodProcessingError is declined: processing_error.
	MethodProcessingError = "pm_card_chargeDeclinedProcessingError"
	// MethodChargeCustomerFail attaches to a Customer, then every charge
	// is declined: card_declined, generic_decline.
	MethodChargeCustomerFail = "pm_card_chargeCustomerFail"
	// MethodAuthenticationRequired needs 3-D Secure on every payment: an
	// off-session one fails with authentication_required (see
	// Options.OffSessionAuthentication), an on-session one waits in
	// requires_action.
	MethodAuthenticationRequired = "pm_card_authenticationRequired"
	// MethodAuthenticationRequiredOnSetup needs 3-D Secure unless it was
	// set up for later payments: attached to a Customer, it is charged
	// off-session without authentication.
	MethodAuthenticationRequiredOnSetup = "pm_card_authenticationRequiredOnSetup"
	// MethodCreateDispute succeeds, then is disputed at once.
	MethodCreateDispute = "pm_card_createDispute"
	// MethodPendingRefund succeeds; a refund of it is pending until
	// Server.Settle (succeeded) or Server.FailRefund (failed).
	MethodPendingRefund = "pm_card_pendingRefund"
	// MethodRefundFail succeeds; a refund of it succeeds, then fails
	// later (Server.FailRefund).
	MethodRefundFail = "pm_card_refundFail"
	// MethodUSBankAccount is an ACH debit: processing, then succeeded
	// (Server.Settle). Its refunds are pending until Server.Settle or
	// Server.FailRefund.
	MethodUSBankAccount = "pm_usBankAccount_success"
)

// behaviour is what a test PaymentMethod does.
type behaviour struct {
	kind  string // "card" or "us_bank_account"
	brand string // card brand
	last4 string
	// A declined payment: code and decline_code (docs.stripe.com/declines/codes),
	// and Stripe's message.
	code, declineCode, message string
	// declinesOnAttach: attaching runs the decline too; only
	// pm_card_chargeCustomerFail attaches and declines later.
	declinesOnAttach bool
	auth             authentication
	dispute          bool
	refund           refundOutcome
}

// refundOutcome is what a refund of a test PaymentMethod's payment does.
type refundOutcome int

const (
	refundSucceeds   refundOutcome = iota
	refundPending                  // pending until Settle or FailRefund
	refundFailsLater               // succeeded, until FailRefund
)

// authentication is when a card asks for 3-D Secure.
type authentication int

const (
	authNever authentication = iota
	authAlways
	authUnlessSetUp
)

var testMethods = map[string]behaviour{
	MethodVisa:                          {kind: "card", brand: "visa", last4: "4242"},
	MethodMastercard:                    {kind: "card", brand: "mastercard", last4: "4444"},
	MethodDeclined:                      {kind: "card", brand: "visa", last4: "0002", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined.", declinesOnAttach: true},
	MethodInsufficientFunds:             {kind: "card", brand: "visa", last4: "9995", code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds.", declinesOnAttach: true},
	MethodLostCard:                      {kind: "card", brand: "visa", last4: "9987", code: "card_declined", declineCode: "lost_card", message: "Your card was declined.", declinesOnAttach: true},
	MethodStolenCard:                    {kind: "card", brand: "visa", last4: "9979", code: "card_declined", declineCode: "stolen_card", message: "Your card was declined.", declinesOnAttach: true},
	MethodExpiredCard:                   {kind: "card", brand: "visa", last4: "0069", code: "expired_card", declineCode: "expired_card", message: "Your card has expired.", declinesOnAttach: true},
	MethodProcessingError:               {kind: "card", brand: "visa", last4: "0119", code: "processing_error", declineCode: "processing_error", message: "An error occurred while processing your card. Try again in a little bit.", declinesOnAttach: true},
	MethodChargeCustomerFail:            {kind: "card", brand: "visa", last4: "0341", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined."},
	MethodAuthenticationRequired:        {kind: "card", brand: "visa", last4: "3184", auth: authAlways},
	MethodAuthenticationRequiredOnSetup: {kind: "card", brand: "visa", last4: "3155", auth: authUnlessSetUp},
	MethodCreateDispute:                 {kind: "card", brand: "visa", last4: "0259", dispute: true},
	MethodPendingRefund:                 {kind: "card", brand: "visa", last4: "7726", refund: refundPending},
	MethodRefundFail:                    {kind: "card", brand: "visa", last4: "5126", refund: refundFailsLater},
	MethodUSBankAccount:                 {kind: "us_bank_account", last4: "6789", refund: refundPending},
}

func (b behaviour) declines() bool { return b.code != "" }
