package gateways

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// A business connects its own account at a real gateway (Stripe, PayPal,
// Skrill). Each such gateway has a Connector, which names the credentials an
// account needs and makes the account's Gateway. The Gateway of a connected
// account also reads the account's webhooks (WebhookReader), checks a
// payment method's token when it is saved (MethodChecker), looks refunds up
// (RefundLooker) and reads the payer's return (ReturnReader).

// Connector makes the Gateway of a business's account at one gateway.
type Connector interface {
	// Kind is the gateway's name: "stripe", "paypal" or "skrill". It is
	// also the {gateway} of the account's webhook route,
	// /webhooks/{gateway}/{accountId}.
	Kind() string
	// Credentials lists what an account is connected with.
	Credentials() []Credential
	// Connect makes the account's Gateway. It checks the credentials'
	// shape only: it calls nothing. Where the gateway's API is (the
	// gateway's own for the account's mode, or a test server) is the
	// Connector's configuration, never the account's.
	Connect(acct Account) (ConnectedGateway, error)
}

// ConnectedGateway is the Gateway of one connected account.
type ConnectedGateway interface {
	Gateway
	WebhookReader
	MethodChecker
	RefundLooker
	ReturnReader
}

// Credential is one value an account is connected with.
type Credential struct {
	// Name is the field's camelCase name in the API, e.g. "secretKey".
	Name string
	// Secret values are sealed at rest and never shown again; other values
	// are shown as they were given.
	Secret bool
	// Optional values may be left out.
	Optional bool
}

// Mode says whether an account moves real money.
type Mode string

// The modes of an account.
const (
	ModeTest Mode = "test"
	ModeLive Mode = "live"
)

// Account is a business's connected gateway account, its secrets opened.
type Account struct {
	ID   uuid.UUID
	Mode Mode
	// Credentials holds every value the Connector listed, by name.
	Credentials map[string]string
	// Currencies, when set, are the only currencies the account charges:
	// a charge in another is a permanent error wrapping
	// ErrCurrencyNotAccepted.
	Currencies []billing.Currency
	// WebhookURL is billgate's /webhooks/{gateway}/{accountId} of the
	// account, for gateways told per payment where to report (Skrill's
	// status_url).
	WebhookURL string
	// ReturnURL is where the payer comes back to billgate after approving
	// or refusing a payment at the gateway; the gateway adds its own
	// query parameters.
	ReturnURL string
}

// ErrCurrencyNotAccepted is wrapped (as a permanent error) when a charge's
// currency is not one its account takes.
var ErrCurrencyNotAccepted = errors.New("the account does not take this currency")

// WebhookReader verifies the webhooks of one account and reads their events.
type WebhookReader interface {
	// ReadWebhook verifies a delivery's signature (an error wrapping
	// ErrBadSignature when it does not) and decodes its event.
	ReadWebhook(ctx context.Context, header http.Header, body []byte) (Event, error)
}

// ErrBadSignature is wrapped when a webhook's signature is missing, forged
// or stale.
var ErrBadSignature = errors.New("the webhook signature does not verify")

// Event is a verified webhook in billgate's terms.
type Event struct {
	// ID is the gateway's; a resent event keeps it.
	ID   string
	Type EventType
	// Reference is the charge's ChargeResult.Reference.
	Reference string
	// IdempotencyKey is the charge's, when the gateway carries it back.
	IdempotencyKey string
	// DeclineCode says why, for EventChargeFailed.
	DeclineCode string
	// Amount is what was refunded or disputed, for those events.
	Amount billing.Money
}

// EventType is what an Event reports.
type EventType string

// The events billgate acts on. Every other verified event is EventOther.
const (
	// EventChargeSucceeded: the charge collected the money.
	EventChargeSucceeded EventType = "charge.succeeded"
	// EventChargeApproved: the payer approved a pending charge, which the
	// gateway completes when it is looked up (PayPal's capture).
	EventChargeApproved EventType = "charge.approved"
	// EventChargeFailed: the charge was declined or canceled.
	EventChargeFailed EventType = "charge.failed"
	// EventChargeRefunded: money went back to the payer.
	EventChargeRefunded EventType = "charge.refunded"
	// EventChargeDisputed: the payer disputed the charge (a chargeback).
	EventChargeDisputed EventType = "charge.disputed"
	// EventOther is verified but nothing billgate acts on.
	EventOther EventType = "other"
)

// MethodChecker checks a payment method's token with the gateway when it
// is saved, not at its first charge.
type MethodChecker interface {
	// CheckMethod asks the gateway about token and returns the token to
	// store. A token the gateway does not know, or cannot charge later
	// without the payer, is a permanent error.
	CheckMethod(ctx context.Context, token string) (string, error)
}

// Accounts connects businesses' accounts (package gateways/connected).
type Accounts interface {
	// Connect is the Gateway of the account id at the gateway kind. An
	// account that does not exist, or is at another gateway, is a
	// permanent error wrapping ErrUnknownAccount.
	Connect(ctx context.Context, kind string, id uuid.UUID) (ConnectedGateway, error)
}

// ErrUnknownAccount is wrapped when a route names no connected account.
var ErrUnknownAccount = errors.New("no such connected gateway account")

// Router finds the gateway a route names: one of the process's (Local),
// or a business's connected account.
type Router struct {
	Local    *Registry
	Accounts Accounts
}

// Gateway is the gateway route names. One that names nothing is a
// permanent error.
func (r Router) Gateway(ctx context.Context, route string) (Gateway, error) {
	kind, account, err := contract.ParseGatewayRoute(route)
	if err != nil {
		return nil, Permanent(route, err)
	}
	if account == uuid.Nil {
		if g, ok := r.Local.Get(kind); ok {
			return g, nil
		}
		return nil, Permanent(route, errors.New("unknown gateway "+route))
	}
	if r.Accounts == nil {
		return nil, Permanent(route, ErrUnknownAccount)
	}
	return r.Accounts.Connect(ctx, kind, account)
}

// RefundLooker reports a refund as the gateway has it now, so that a
// pending refund is settled without waiting for a webhook.
type RefundLooker interface {
	// LookupRefund reports the refund with reference; an unknown one is a
	// permanent error wrapping ErrUnknownCharge.
	LookupRefund(ctx context.Context, reference string) (RefundResult, error)
}

// RefundLister lists the refunds a gateway holds of one charge: billgate's
// own and those made elsewhere, in the gateway's dashboard say, which the
// reconciliation records so that every refund has its credit note.
// Optional: a gateway that reports no refunds made outside its API (Skrill)
// lists none.
type RefundLister interface {
	// ListRefunds is every refund of the charge reference (a
	// ChargeResult.Reference), oldest first. An unknown charge is a
	// permanent error wrapping ErrUnknownCharge.
	ListRefunds(ctx context.Context, reference string) ([]ListedRefund, error)
}

// ListedRefund is one refund of a charge as the gateway has it.
type ListedRefund struct {
	RefundResult
	// Amount is what the refund returns.
	Amount billing.Money
	// IdempotencyKey is the RefundRequest's key as the gateway keeps it
	// with the refund (Stripe's metadata, PayPal's custom_id) when billgate
	// made it; empty for a refund made elsewhere. billgate's refund keys
	// (refund IDs) come back unchanged.
	IdempotencyKey string
}

// ReturnKeyParam is the query parameter a gateway of a connected account
// adds to Account.ReturnURL for each charge: the charge's idempotency key,
// so that billgate knows whose payment the payer came back from.
const ReturnKeyParam = "billgate_key"

// ReturnReader reads where a payer came back from the gateway with.
type ReturnReader interface {
	// ReadReturn reads the query of the payer's return to
	// Account.ReturnURL: the charge's reference (as Charge returned it)
	// and its idempotency key (ReturnKeyParam). ok is false when the
	// query names no charge. Nothing in it is proof: the payment looks
	// the charge up before it believes anything.
	ReadReturn(query url.Values) (reference, key string, ok bool)
}
