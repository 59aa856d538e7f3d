package stripetest

import "encoding/json"

// The objects below are Stripe's, field for field as far as stripetest
// fills them (docs.stripe.com/api: "The PaymentIntent object", "The Charge
// object", "The Refund object", "The Dispute object", "The PaymentMethod
// object", "The Customer object", "The Event object", "Errors"). Nullable
// fields are pointers, written as null when unset, as Stripe writes them.
// The tests check every object against stripe-mock's OpenAPI
// specification, with unknown fields refused.

// PaymentIntent is a PaymentIntent.
type PaymentIntent struct {
	ID                      string                   `json:"id"`
	Object                  string                   `json:"object"`
	Amount                  int64                    `json:"amount"`
	AmountCapturable        int64                    `json:"amount_capturable"`
	AmountReceived          int64                    `json:"amount_received"`
	AutomaticPaymentMethods *AutomaticPaymentMethods `json:"automatic_payment_methods"`
	CanceledAt              *int64                   `json:"canceled_at"`
	CancellationReason      *string                  `json:"cancellation_reason"`
	CaptureMethod           string                   `json:"capture_method"`
	ClientSecret            string                   `json:"client_secret"`
	ConfirmationMethod      string                   `json:"confirmation_method"`
	Created                 int64                    `json:"created"`
	Currency                string                   `json:"currency"`
	Customer                *string                  `json:"customer"`
	Description             *string                  `json:"description"`
	LastPaymentError        *Error                   `json:"last_payment_error"`
	LatestCharge            *string                  `json:"latest_charge"`
	Livemode                bool                     `json:"livemode"`
	Metadata                map[string]string        `json:"metadata"`
	NextAction              *NextAction              `json:"next_action"`
	PaymentMethod           *string                  `json:"payment_method"`
	PaymentMethodTypes      []string                 `json:"payment_method_types"`
	SetupFutureUsage        *string                  `json:"setup_future_usage"`
	Status                  string                   `json:"status"`
}

// AutomaticPaymentMethods is PaymentIntent.automatic_payment_methods.
type AutomaticPaymentMethods struct {
	AllowRedirects string `json:"allow_redirects,omitempty"`
	Enabled        bool   `json:"enabled"`
}

// NextAction is PaymentIntent.next_action: redirect_to_url, or use_stripe_sdk
// when the PaymentIntent was confirmed without a return_url.
type NextAction struct {
	Type          string         `json:"type"`
	RedirectToURL *RedirectToURL `json:"redirect_to_url,omitempty"`
	UseStripeSDK  map[string]any `json:"use_stripe_sdk,omitempty"`
}

// RedirectToURL is next_action.redirect_to_url.
type RedirectToURL struct {
	ReturnURL *string `json:"return_url"`
	URL       *string `json:"url"`
}

// Charge is a Charge, the payment attempt of a PaymentIntent.
type Charge struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	Amount             int64             `json:"amount"`
	AmountCaptured     int64             `json:"amount_captured"`
	AmountRefunded     int64             `json:"amount_refunded"`
	BalanceTransaction *string           `json:"balance_transaction"`
	BillingDetails     BillingDetails    `json:"billing_details"`
	Captured           bool              `json:"captured"`
	Created            int64             `json:"created"`
	Currency           string            `json:"currency"`
	Customer           *string           `json:"customer"`
	Description        *string           `json:"description"`
	Disputed           bool              `json:"disputed"`
	FailureCode        *string           `json:"failure_code"`
	FailureMessage     *string           `json:"failure_message"`
	Livemode           bool              `json:"livemode"`
	Metadata           map[string]string `json:"metadata"`
	Outcome            *Outcome          `json:"outcome"`
	Paid               bool              `json:"paid"`
	PaymentIntent      *string           `json:"payment_intent"`
	PaymentMethod      *string           `json:"payment_method"`
	Refunded           bool              `json:"refunded"`
	Status             string            `json:"status"`
}

// Outcome is Charge.outcome, the issuer's answer.
type Outcome struct {
	NetworkStatus *string `json:"network_status"`
	Reason        *string `json:"reason"`
	RiskLevel     string  `json:"risk_level,omitempty"`
	SellerMessage *string `json:"seller_message"`
	Type          string  `json:"type"`
}

// BillingDetails is the billing_details of a Charge or PaymentMethod;
// stripetest collects none.
type BillingDetails struct {
	Address *struct{} `json:"address"`
	Email   *string   `json:"email"`
	Name    *string   `json:"name"`
	Phone   *string   `json:"phone"`
}

// Refund is a Refund. failure_balance_transaction and failure_reason are
// set once it failed, pending_reason while it is pending.
type Refund struct {
	ID                        string            `json:"id"`
	Object                    string            `json:"object"`
	Amount                    int64             `json:"amount"`
	BalanceTransaction        *string           `json:"balance_transaction"`
	Charge                    *string           `json:"charge"`
	Created                   int64             `json:"created"`
	Currency                  string            `json:"currency"`
	FailureBalanceTransaction string            `json:"failure_balance_transaction,omitempty"`
	FailureReason             string            `json:"failure_reason,omitempty"`
	Metadata                  map[string]string `json:"metadata"`
	PaymentIntent             *string           `json:"payment_intent"`
	PendingReason             string            `json:"pending_reason,omitempty"`
	Reason                    *string           `json:"reason"`
	Status                    *string           `json:"status"`
}

// Dispute is a Dispute (a chargeback).
type Dispute struct {
	ID                       string            `json:"id"`
	Object                   string            `json:"object"`
	Amount                   int64             `json:"amount"`
	BalanceTransactions      []any             `json:"balance_transactions"`
	Charge                   string            `json:"charge"`
	Created                  int64             `json:"created"`
	Currency                 string            `json:"currency"`
	EnhancedEligibilityTypes []string          `json:"enhanced_eligibility_types"`
	Evidence                 DisputeEvidence   `json:"evidence"`
	EvidenceDetails          EvidenceDetails   `json:"evidence_details"`
	IsChargeRefundable       bool              `json:"is_charge_refundable"`
	Livemode                 bool              `json:"livemode"`
	Metadata                 map[string]string `json:"metadata"`
	PaymentIntent            *string           `json:"payment_intent"`
	Reason                   string            `json:"reason"`
	Status                   string            `json:"status"`
}

// DisputeEvidence is Dispute.evidence; none is submitted in stripetest.
type DisputeEvidence struct {
	EnhancedEvidence struct{} `json:"enhanced_evidence"`
}

// EvidenceDetails is Dispute.evidence_details.
type EvidenceDetails struct {
	DueBy               *int64   `json:"due_by"`
	EnhancedEligibility struct{} `json:"enhanced_eligibility"`
	HasEvidence         bool     `json:"has_evidence"`
	PastDue             bool     `json:"past_due"`
	SubmissionCount     int64    `json:"submission_count"`
}

// PaymentMethod is a PaymentMethod: a card, or a US bank account.
type PaymentMethod struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	AllowRedisplay string            `json:"allow_redisplay"`
	BillingDetails BillingDetails    `json:"billing_details"`
	Card           *Card             `json:"card,omitempty"`
	Created        int64             `json:"created"`
	Customer       *string           `json:"customer"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
	Type           string            `json:"type"`
	USBankAccount  *USBankAccount    `json:"us_bank_account,omitempty"`
}

// Card is PaymentMethod.card.
type Card struct {
	Brand    string  `json:"brand"`
	Country  *string `json:"country"`
	ExpMonth int64   `json:"exp_month"`
	ExpYear  int64   `json:"exp_year"`
	Funding  string  `json:"funding"`
	Last4    string  `json:"last4"`
}

// USBankAccount is PaymentMethod.us_bank_account.
type USBankAccount struct {
	AccountHolderType *string `json:"account_holder_type"`
	AccountType       *string `json:"account_type"`
	BankName          *string `json:"bank_name"`
	Last4             *string `json:"last4"`
	RoutingNumber     *string `json:"routing_number"`
}

// Customer is a Customer.
type Customer struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	Created     int64             `json:"created"`
	Description *string           `json:"description"`
	Email       *string           `json:"email"`
	Livemode    bool              `json:"livemode"`
	Metadata    map[string]string `json:"metadata"`
	Name        *string           `json:"name"`
}

// Error is Stripe's error object, the body of a failed request under
// "error" and a PaymentIntent's last_payment_error
// (docs.stripe.com/api/errors).
type Error struct {
	Charge        string         `json:"charge,omitempty"`
	Code          string         `json:"code,omitempty"`
	DeclineCode   string         `json:"decline_code,omitempty"`
	DocURL        string         `json:"doc_url,omitempty"`
	Message       string         `json:"message,omitempty"`
	Param         string         `json:"param,omitempty"`
	PaymentIntent *PaymentIntent `json:"payment_intent,omitempty"`
	PaymentMethod *PaymentMethod `json:"payment_method,omitempty"`
	Type          string         `json:"type"`
}

// Event is an Event, what a webhook delivers
// (docs.stripe.com/api/events/object).
type Event struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	APIVersion      string       `json:"api_version"`
	Created         int64        `json:"created"`
	Data            EventData    `json:"data"`
	Livemode        bool         `json:"livemode"`
	PendingWebhooks int64        `json:"pending_webhooks"`
	Request         EventRequest `json:"request"`
	Type            string       `json:"type"`
}

// EventData is Event.data: the object as it was when the event happened
// and, for changes, the values its changed fields had before.
type EventData struct {
	Object             json.RawMessage `json:"object"`
	PreviousAttributes map[string]any  `json:"previous_attributes,omitempty"`
}

// EventRequest is Event.request: the API request that caused the event, if
// one did (a test hook is no request).
type EventRequest struct {
	ID             *string `json:"id"`
	IdempotencyKey *string `json:"idempotency_key"`
}

// searchResult is the answer of a search endpoint.
type searchResult struct {
	Object   string           `json:"object"`
	Data     []*PaymentIntent `json:"data"`
	HasMore  bool             `json:"has_more"`
	NextPage *string          `json:"next_page"`
	URL      string           `json:"url"`
}

// list is the answer of a list endpoint, one page of its objects
// (docs.stripe.com/api/pagination).
type list[T any] struct {
	Object  string `json:"object"`
	Data    []*T   `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}
