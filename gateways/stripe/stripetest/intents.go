package stripetest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
)

// The statuses of a PaymentIntent
// (docs.stripe.com/payments/paymentintents/lifecycle).
const (
	statusRequiresPaymentMethod = "requires_payment_method"
	statusRequiresConfirmation  = "requires_confirmation"
	statusRequiresAction        = "requires_action"
	statusProcessing            = "processing"
	statusSucceeded             = "succeeded"
	statusCanceled              = "canceled"
)

var currencyCode = regexp.MustCompile(`^[a-z]{3}$`)

// returnURLRequired is Stripe's refusal to confirm, without a return_url, a
// PaymentIntent whose automatic payment methods may redirect.
const returnURLRequired = "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents."

// confirmation is how a PaymentIntent is confirmed.
type confirmation struct {
	offSession    bool
	returnURL     string
	errorOnAction bool
}

// createPaymentIntent is POST /v1/payment_intents
// (docs.stripe.com/api/payment_intents/create), confirmed at once with
// confirm=true.
func (s *Server) createPaymentIntent(r *request) response {
	f := r.form
	amount, hasAmount := f.int("amount")
	currency := f.required("currency")
	cusID, hasCustomer := f.str("customer")
	pmID, hasMethod := f.str("payment_method")
	confirm, _ := f.bool("confirm")
	offSession, hasOffSession := f.oneOf("off_session", "true", "false", "one_off", "recurring")
	returnURL, hasReturnURL := f.str("return_url")
	apmEnabled, hasAPM := f.bool("automatic_payment_methods[enabled]")
	allowRedirects, _ := f.oneOf("automatic_payment_methods[allow_redirects]", "always", "never")
	types := f.list("payment_method_types")
	errorOnAction, hasErrorOnAction := f.bool("error_on_requires_action")
	description, hasDescription := f.str("description")
	setupFutureUsage, hasSetupFutureUsage := f.oneOf("setup_future_usage", "on_session", "off_session")
	metadata := f.mapOf("metadata")
	if err := f.check(); err != nil {
		return *err
	}
	switch {
	case !hasAmount:
		return paramError("amount", "Missing required param: amount.")
	case amount < 1:
		return paramError("amount", "This value must be greater than or equal to 1.")
	case !currencyCode.MatchString(currency):
		return paramError("currency", "Invalid currency: %s. Currencies are three-letter ISO codes, in lower case.", currency)
	case !confirm && (hasOffSession || hasReturnURL || hasErrorOnAction):
		return paramError("confirm", "off_session, return_url and error_on_requires_action can only be used with confirm=true.")
	case hasAPM && len(types) > 0:
		return paramError("automatic_payment_methods", "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.")
	case confirm && !hasMethod:
		return paramError("payment_method", "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.")
	case confirm && len(types) == 0 && allowRedirects != "never" && !hasReturnURL:
		// Since API version 2023-08-16 a PaymentIntent without
		// payment_method_types takes the automatic payment methods.
		return paramError("return_url", returnURLRequired)
	}
	if hasCustomer {
		if _, ok := s.state.customers[cusID]; !ok {
			return missing(http.StatusBadRequest, "customer", "customer", cusID)
		}
	}
	var m *method
	if hasMethod {
		var resp *response
		if m, resp = s.methodFor(pmID, "payment_method"); resp != nil {
			return *resp
		}
		if resp := usable(m, cusID, types); resp != nil {
			return *resp
		}
	}

	pi := &PaymentIntent{
		ID: newID("pi"), Object: "payment_intent", Amount: amount, CaptureMethod: "automatic_async",
		ConfirmationMethod: "automatic", Created: r.now.Unix(), Currency: currency, Metadata: metadata,
		PaymentMethodTypes: types, Status: statusRequiresPaymentMethod,
	}
	pi.ClientSecret = pi.ID + "_secret_" + newID("s")[2:]
	if len(types) == 0 {
		pi.PaymentMethodTypes = []string{"card", "us_bank_account"}
		pi.AutomaticPaymentMethods = &AutomaticPaymentMethods{Enabled: apmEnabled || !hasAPM, AllowRedirects: allowRedirects}
	}
	if hasCustomer {
		pi.Customer = ptr(cusID)
	}
	if hasDescription {
		pi.Description = ptr(description)
	}
	if hasSetupFutureUsage {
		pi.SetupFutureUsage = ptr(setupFutureUsage)
	}
	if m != nil {
		pi.PaymentMethod, pi.Status = ptr(m.obj.ID), statusRequiresConfirmation
		s.state.intentMethods[pi.ID] = m
	}
	store(&s.state, s.state.intents, pi.ID, pi)
	s.emit(r, "payment_intent.created", pi, nil)
	if !confirm {
		return ok200(pi)
	}
	resp := s.confirm(r, pi, m, confirmation{offSession: hasOffSession && offSession != "false", returnURL: returnURL, errorOnAction: errorOnAction})
	if hasSetupFutureUsage && hasCustomer && pi.Status == statusSucceeded {
		s.attach(r, m, cusID) // saved for later payments
	}
	return resp
}

// usable is why m cannot pay a PaymentIntent of customer cusID (empty: none)
// restricted to types, or nil.
func usable(m *method, cusID string, types []string) *response {
	var r response
	switch {
	case m.obj.Customer != nil && cusID == "":
		r = paramError("customer", "The provided PaymentMethod is attached to customer %s; pass it as customer.", *m.obj.Customer)
	case m.obj.Customer != nil && *m.obj.Customer != cusID:
		r = paramError("payment_method", "The provided PaymentMethod belongs to customer %s, not %s.", *m.obj.Customer, cusID)
	case len(types) > 0 && !slices.Contains(types, m.kind):
		r = paramError("payment_method", "The provided PaymentMethod is a %s, which payment_method_types %v does not allow.", m.kind, types)
	default:
		return nil
	}
	return &r
}

// confirm attempts the payment of pi with m.
func (s *Server) confirm(r *request, pi *PaymentIntent, m *method, c confirmation) response {
	if m.auth == authAlways || (m.auth == authUnlessSetUp && m.obj.Customer == nil) {
		mode := AuthenticationRedirects // the payer is there to authenticate
		switch {
		case c.errorOnAction:
			mode = AuthenticationDeclines
		case c.offSession:
			mode = s.opts.OffSessionAuthentication
		}
		switch mode {
		case AuthenticationDeclines:
			return s.decline(r, pi, m, authenticationRequired())
		case AuthenticationErrorWithAction:
			s.requireAction(r, pi, c.returnURL)
			e := authenticationRequired()
			e.PaymentIntent, e.PaymentMethod = pi, m.obj
			return declineResponse(e)
		}
		s.requireAction(r, pi, c.returnURL)
		return ok200(pi)
	}
	return s.pay(r, pi, m)
}

// authenticationRequired is the decline of a payment that needs the
// cardholder's authentication (docs.stripe.com/declines/codes).
func authenticationRequired() *Error {
	return &Error{Type: typeCard, Code: "authentication_required", DeclineCode: "authentication_required",
		DocURL: docURL("authentication_required"), Message: "Your card was declined. This transaction requires authentication."}
}

// pay runs a payment that needs no (more) authentication.
func (s *Server) pay(r *request, pi *PaymentIntent, m *method) response {
	switch {
	case m.declines():
		return s.decline(r, pi, m, &Error{Type: typeCard, Code: m.code, DeclineCode: m.declineCode, DocURL: docURL(m.code), Message: m.message})
	case m.kind == "us_bank_account":
		ch := s.newCharge(pi, m, "pending")
		pi.Status, pi.LatestCharge, pi.NextAction = statusProcessing, ptr(ch.ID), nil
		s.emit(r, "charge.pending", ch, nil)
		s.emit(r, "payment_intent.processing", pi, nil)
		return ok200(pi)
	}
	ch := s.newCharge(pi, m, "succeeded")
	s.succeed(r, pi, ch)
	if m.dispute {
		s.dispute(nil, pi)
	}
	return ok200(pi)
}

// succeed completes the payment of pi by its charge ch.
func (s *Server) succeed(r *request, pi *PaymentIntent, ch *Charge) {
	ch.Status, ch.Paid, ch.Captured, ch.AmountCaptured = "succeeded", true, true, ch.Amount
	ch.BalanceTransaction = ptr(newID("txn"))
	ch.Outcome = &Outcome{Type: "authorized", NetworkStatus: ptr("approved_by_network"), RiskLevel: "normal", SellerMessage: ptr("Payment complete.")}
	pi.Status, pi.AmountReceived, pi.LatestCharge, pi.NextAction, pi.LastPaymentError = statusSucceeded, pi.Amount, ptr(ch.ID), nil, nil
	s.emit(r, "charge.succeeded", ch, nil)
	s.emit(r, "payment_intent.succeeded", pi, nil)
}

// decline records a failed payment attempt, e: a failed Charge, the
// PaymentIntent back in requires_payment_method with e as its
// last_payment_error (docs.stripe.com/declines), and the 402 answer, whose
// error carries the PaymentIntent.
func (s *Server) decline(r *request, pi *PaymentIntent, m *method, e *Error) response {
	ch := s.newCharge(pi, m, "failed")
	ch.FailureCode, ch.FailureMessage = ptr(e.Code), ptr(e.Message)
	ch.Outcome = &Outcome{Type: "issuer_declined", NetworkStatus: ptr("declined_by_network"), Reason: ptr(e.DeclineCode),
		RiskLevel: "normal", SellerMessage: ptr("The bank did not return any further details with this decline.")}
	e.Charge, e.PaymentMethod = ch.ID, m.obj
	pi.Status, pi.LatestCharge, pi.PaymentMethod, pi.NextAction, pi.LastPaymentError = statusRequiresPaymentMethod, ptr(ch.ID), nil, nil, e
	s.emit(r, "charge.failed", ch, nil)
	s.emit(r, "payment_intent.payment_failed", pi, nil)
	answer := *e
	answer.PaymentIntent = pi
	return declineResponse(&answer)
}

// requireAction leaves pi waiting for the payer's authentication at the
// server's authentication page: a redirect_to_url next action when there
// is a return_url, else use_stripe_sdk, for Stripe.js.
func (s *Server) requireAction(r *request, pi *PaymentIntent, returnURL string) {
	page := s.baseURL + authenticatePath + pi.ID
	pi.Status = statusRequiresAction
	if returnURL != "" {
		pi.NextAction = &NextAction{Type: "redirect_to_url", RedirectToURL: &RedirectToURL{URL: ptr(page), ReturnURL: ptr(returnURL)}}
	} else {
		pi.NextAction = &NextAction{Type: "use_stripe_sdk", UseStripeSDK: map[string]any{"type": "three_d_secure_redirect", "stripe_js": page}}
	}
	s.emit(r, "payment_intent.requires_action", pi, nil)
}

// newCharge is a payment attempt of pi with m. A card's Charge is ch_…;
// another payment method's, a bank debit's, is py_…, and its refunds pyr_….
func (s *Server) newCharge(pi *PaymentIntent, m *method, status string) *Charge {
	prefix := "ch"
	if m.kind != "card" {
		prefix = "py"
	}
	ch := &Charge{
		ID: newID(prefix), Object: "charge", Amount: pi.Amount, Created: s.now().Unix(), Currency: pi.Currency,
		Customer: pi.Customer, Description: pi.Description, Metadata: map[string]string{},
		PaymentIntent: ptr(pi.ID), PaymentMethod: ptr(m.obj.ID), Status: status,
	}
	store(&s.state, s.state.charges, ch.ID, ch)
	return ch
}

// cancelPaymentIntent is POST /v1/payment_intents/{id}/cancel
// (docs.stripe.com/api/payment_intents/cancel). Stripe cancels a
// processing PaymentIntent only "in rare cases"; stripetest never does.
func (s *Server) cancelPaymentIntent(r *request) response {
	reason, hasReason := r.form.oneOf("cancellation_reason", "duplicate", "fraudulent", "requested_by_customer", "abandoned")
	if err := r.form.check(); err != nil {
		return *err
	}
	pi, ok := s.state.intents[r.pathID]
	if !ok {
		return missing(http.StatusNotFound, "intent", "payment_intent", r.pathID)
	}
	cancelable := []string{statusRequiresPaymentMethod, "requires_capture", statusRequiresConfirmation, statusRequiresAction}
	if !slices.Contains(cancelable, pi.Status) {
		return refusal(&Error{Code: "payment_intent_unexpected_state", PaymentIntent: pi, Message: fmt.Sprintf(
			"You cannot cancel this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be canceled: %v.", pi.Status, cancelable)})
	}
	pi.Status, pi.CanceledAt, pi.NextAction = statusCanceled, ptr(r.now.Unix()), nil
	if hasReason {
		pi.CancellationReason = ptr(reason)
	}
	s.emit(r, "payment_intent.canceled", pi, nil)
	return ok200(pi)
}
